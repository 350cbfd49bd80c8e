// The daemon's control commands: names, whether each only reads, and a one-line summary (`help`).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "json_value.h"

namespace linkcrypt::daemon {

struct ControlCommand {
  std::string_view name;
  bool read_only;  // false: changes state, needs root or control-admin-group
  std::string_view summary;
};

// In the order `help` lists them; linkcryptctl --help advertises the same names.
[[nodiscard]] const std::vector<ControlCommand>& control_commands();
// The names the control server must refuse to non-admin clients.
[[nodiscard]] std::set<std::string> state_changing_commands();
// The `help` command's result: {"commands":[{"command","read_only","summary"}...]}.
[[nodiscard]] json::Value control_help();

}  // namespace linkcrypt::daemon
