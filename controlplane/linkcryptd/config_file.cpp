// store_config_file: the config file's safety checks, then Boost's INI parser line by line.
#include "config_file.h"

#include "options.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace linkcrypt::daemon {
namespace po = boost::program_options;
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string mode_text(mode_t m) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", static_cast<unsigned>(m & 07777));
  return b;
}

// The file's text, or ConfigError. The checks run on the opened file (fstat), not on the name.
std::string read_checked(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) throw ConfigError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw ConfigError(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ConfigError(path + ": not a regular file");
  // Whoever can change the config chooses the key files and the EAL arguments (which can load
  // shared objects): only root or our own user may, as sshd's StrictModes demands.
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw ConfigError(path + ": mode " + mode_text(st.st_mode) +
                      " lets group or others change it, refused (run: chmod go-w " + path + ")");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    throw ConfigError(path + ": owned by uid " + std::to_string(st.st_uid) +
                      ", refused: it must belong to root or to the user linkcryptd runs as (uid " +
                      std::to_string(::geteuid()) + ")");
  }
  if (static_cast<size_t>(st.st_size) > kMaxConfigFileLen) throw ConfigError(path + ": larger than 1 MiB");
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
    if (n == 0) break;  // shrank meanwhile
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

// Boost's messages, reworded where they would not help an operator.
std::string describe(const po::error& e, const std::string& line) {
  if (dynamic_cast<const po::unknown_option*>(&e)) {
    return "unknown option '" + trim(line.substr(0, line.find('='))) + "' (linkcryptd --help lists them)";
  }
  if (dynamic_cast<const po::invalid_syntax*>(&e)) return "expected 'name = value'";
  return e.what();
}

}  // namespace

void store_config_file(const std::string& path, const po::options_description& desc, po::variables_map& vm,
                       ConfigFileLines& where) {
  where.path = path;
  const std::string text = read_checked(path);
  po::variables_map file_vm;  // checks every file value, even one a flag overrides
  po::parsed_options all(&desc);
  std::istringstream in(text);
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string at = path + ":" + std::to_string(line_no) + ": ";
    const std::string body = trim(line.substr(0, line.find('#')));
    if (body.empty()) continue;
    // Boost would read "[x]" as a prefix for the keys below it, turning them into unknown options.
    if (body.front() == '[') throw ConfigError(at + "sections are not used: write every option as 'name = value'");
    std::istringstream one(line);
    try {
      po::parsed_options parsed = po::parse_config_file(one, desc, false);
      for (const po::option& opt : parsed.options) {
        const auto [seen, fresh] = where.line_of.emplace(opt.string_key, line_no);
        if (!fresh) {
          throw ConfigError(at + "'" + opt.string_key + "' is already set on line " + std::to_string(seen->second));
        }
      }
      po::store(parsed, file_vm);
      all.options.insert(all.options.end(), parsed.options.begin(), parsed.options.end());
    } catch (const po::error& e) {
      throw ConfigError(at + describe(e, body));
    }
  }
  try {
    po::store(all, vm);  // options from the command line are already final in vm: they win
  } catch (const po::error& e) {
    throw ConfigError(path + ": " + e.what());  // not reached: file_vm saw every value
  }
}

}  // namespace linkcrypt::daemon
