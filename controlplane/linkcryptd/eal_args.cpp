// with_file_prefix: a default EAL --file-prefix named after the daemon's control socket.
#include "eal_args.h"

#include <filesystem>

namespace linkcrypt::daemon {

std::vector<std::string> with_file_prefix(std::vector<std::string> eal_args, const std::string& control_socket) {
  for (const auto& a : eal_args) {
    if (a == "--file-prefix" || a.rfind("--file-prefix=", 0) == 0) return eal_args;
  }
  std::string stem = std::filesystem::path(control_socket).stem().string();
  // The prefix becomes a directory and file-name prefix: keep it to safe characters.
  for (char& c : stem) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!safe) c = '_';
  }
  if (stem.empty() || stem.front() == '.') stem = "linkcryptd" + stem;
  eal_args.push_back("--file-prefix=linkcrypt-" + stem);
  return eal_args;
}

}  // namespace linkcrypt::daemon
