// `help` and `rekey`, and the dispatch from a command's name to its struct and renderer.
#include "api/keys.h"
#include "render.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

template <class Result, class Render>
RenderedResult through(const api::Json& result, const RenderOptions& o, Render render) {
  Result typed{};
  api::DecodeError err;
  if (!api::from_json_value(result, typed, err)) {
    return {std::nullopt, "linkcryptd's result does not match the API (" + err.text() + ")"};
  }
  return {render(typed, o), {}};
}

}  // namespace

std::string render_help(const api::HelpResult& r, const RenderOptions& o) {
  Table t({{"COMMAND"}, {"ACCESS"}, {"SUMMARY", false, false, true}});
  for (const auto& c : r.commands) t.add_row({c.command, c.read_only ? "read" : "admin", c.summary});
  return t.render("", o.wide) + "(admin: root or the daemon's control-admin-group; options: linkcryptctl --help)\n";
}

std::string render_rekey(const api::RekeyResult& r, const RenderOptions&) {
  return r.started ? "rotation started: `linkcryptctl rotations` shows it once it is done\n" : "rotation not started\n";
}

RenderedResult render_result(std::string_view command, const api::Json& result, const RenderOptions& o) {
  if (command == "status") return through<api::StatusResult>(result, o, render_status);
  if (command == "sa") return through<api::SaResult>(result, o, render_sa);
  if (command == "stats") return through<api::StatsResult>(result, o, render_stats);
  if (command == "peer") return through<api::PeerResult>(result, o, render_peer);
  if (command == "rotations") return through<api::RotationsResult>(result, o, render_rotations);
  if (command == "help") return through<api::HelpResult>(result, o, render_help);
  if (command == "rekey") return through<api::RekeyResult>(result, o, render_rekey);
  if (command == "keys") return through<api::KeysResult>(result, o, render_keys);
  if (command == "mka") return through<api::MkaResult>(result, o, render_mka);

  return {render_human(result), {}};
}

}  // namespace linkcrypt::ctl
