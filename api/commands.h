// The control commands (names, read-only or not, summaries) and `help`'s result. The daemon
// serves these names and linkcryptctl advertises them: one list.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

struct CommandInfo {
  std::string_view name;
  bool read_only;  // false: changes state, needs root or control-admin-group
  std::string_view summary;
};

// In the order `help` lists them.
[[nodiscard]] const std::vector<CommandInfo>& commands();
// The names the control server must refuse to non-admin clients.
[[nodiscard]] std::set<std::string> state_changing_commands();

struct HelpRow {
  std::string command;
  bool read_only = true;
  std::string summary;
};
constexpr auto fields_of(std::type_identity<HelpRow>) {
  return std::tuple{field("command", &HelpRow::command), field("read_only", &HelpRow::read_only),
                    field("summary", &HelpRow::summary)};
}

struct HelpResult {
  std::vector<HelpRow> commands;
};
constexpr auto fields_of(std::type_identity<HelpResult>) { return std::tuple{field("commands", &HelpResult::commands)}; }

// `help`'s result from commands().
[[nodiscard]] HelpResult help_result();

}  // namespace linkcrypt::api
