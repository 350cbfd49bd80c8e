// Which control socket linkcryptctl talks to: --socket PATH, --instance NAME, or the one daemon running.
#pragma once

#include <optional>
#include <string>

namespace linkcrypt::ctl {

// Where linkcryptd@NAME.service puts instance NAME's socket (NAME.sock), and the daemon's default.
inline constexpr const char* kRuntimeDir = "/run/linkcrypt";
inline constexpr const char* kDefaultSocketName = "linkcryptd.sock";

struct SocketChoice {
  std::string path;   // the socket to call
  std::string error;  // non-empty: no choice possible (one line for the operator; exit 2)
};

// --socket wins; --instance NAME means RUNTIME_DIR/NAME.sock. With neither: the default socket if
// it exists, else the only socket in RUNTIME_DIR (one linkcryptd@ instance on the host), else the
// default (so the client reports that no daemon runs). Several instances and no choice: an error
// naming them.
[[nodiscard]] SocketChoice choose_socket(const std::optional<std::string>& socket,
                                         const std::optional<std::string>& instance,
                                         const std::string& runtime_dir = kRuntimeDir);

}  // namespace linkcrypt::ctl
