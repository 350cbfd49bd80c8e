// Which control socket linkcryptctl talks to: --socket PATH, --instance NAME, or the one daemon running.
#include "socket_choice.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace linkcrypt::ctl {
namespace fs = std::filesystem;

SocketChoice choose_socket(const std::optional<std::string>& socket, const std::optional<std::string>& instance,
                           const std::string& runtime_dir) {
  if (socket && instance) return {{}, "--socket and --instance name the same thing: give one"};
  if (socket) return {*socket, {}};
  if (instance) {
    // An instance is a config name (linkcryptd@NAME), never a path.
    if (instance->empty() || instance->find('/') != std::string::npos || instance->front() == '.') {
      return {{}, "--instance '" + *instance + "' is not an instance name (the NAME of linkcryptd@NAME)"};
    }
    return {runtime_dir + "/" + *instance + ".sock", {}};
  }

  const std::string fallback = runtime_dir + "/" + kDefaultSocketName;
  std::error_code ec;
  if (fs::exists(fallback, ec)) return {fallback, {}};
  std::vector<std::string> names;
  for (fs::directory_iterator it(runtime_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::error_code type_ec;
    if (p.extension() == ".sock" && it->is_socket(type_ec)) names.push_back(p.stem().string());
  }
  if (names.size() == 1) return {runtime_dir + "/" + names.front() + ".sock", {}};
  if (names.empty()) return {fallback, {}};
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return {{}, std::to_string(names.size()) + " linkcryptd instances have sockets in " + runtime_dir + " (" + list +
                  "): pass --instance NAME or --socket PATH"};
}

}  // namespace linkcrypt::ctl
