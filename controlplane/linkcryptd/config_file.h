// linkcryptd's INI config file: refuses an unsafe file and hands Boost one line at a time, so that
// every error names the file and the line.
#pragma once

#include <boost/program_options.hpp>

#include <cstddef>
#include <map>
#include <string>

namespace linkcrypt::daemon {

inline constexpr size_t kMaxConfigFileLen = 1024 * 1024;

// Where each option of the file was set, for errors found after parsing.
struct ConfigFileLines {
  std::string path;
  std::map<std::string, size_t> line_of;  // option name -> 1-based line
};

// Reads `path` (docs/config.md "The config file"): a regular file (symlinks are followed), owned
// by root or by the user linkcryptd runs as, not writable by group or others, at most
// kMaxConfigFileLen octets. Options already in `vm` (the command line) win over the file; every
// file value is still checked. Throws ConfigError "PATH: why" or "PATH:LINE: why".
void store_config_file(const std::string& path, const boost::program_options::options_description& desc,
                       boost::program_options::variables_map& vm, ConfigFileLines& where);

}  // namespace linkcrypt::daemon
