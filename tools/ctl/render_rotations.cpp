// `rotations`: the rotation log, oldest first (like a log), times in UTC with their age.
#include <cstdio>

#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

std::string millis(uint64_t ms) {
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms < 60000) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu.%02llu s", static_cast<unsigned long long>(ms / 1000),
                  static_cast<unsigned long long>(ms % 1000 / 10));
    return buf;
  }
  return duration(static_cast<double>(ms) / 1000.0);
}

}  // namespace

std::string render_rotations(const api::RotationsResult& r, const RenderOptions& o) {
  if (r.rotations.empty()) return "no rotations yet\n";
  Table t({{"WHEN (UTC)"},
           {"AGE"},
           {"REASON"},
           {"TOOK", true},
           {"DROPPED", true},
           {"OLD KEY ID", false, true},
           {"NEW KEY ID"},
           {"COMPLETE"}});
  for (const auto& x : r.rotations) {
    t.add_row({iso8601_utc(x.when), age(x.when, o.now_unix), x.reason, millis(x.duration_ms), si_count(x.frames_dropped),
               x.old_key_id, x.new_key_id, x.complete ? "yes" : "no"});
  }
  return t.render("", o.wide);
}

}  // namespace linkcrypt::ctl
