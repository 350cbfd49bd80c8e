// `keys`: each long-term key with its fingerprint, use count and last use (the audit log's summary).
#include "api/keys.h"
#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {

std::string render_keys(const api::KeysResult& r, const RenderOptions& o) {
  if (r.keys.empty()) return "no long-term key (manual keying)\n";
  Table t({{"KEY", false, false, true},
           {"KIND"},
           {"FINGERPRINT", false, false, true},
           {"USES", true},
           {"FAILED", true},
           {"LAST USE (UTC)"},
           {"AGE", false, true},
           {"RESULT"}});
  for (const auto& k : r.keys) {
    const bool used = k.last_use != 0;
    t.add_row({k.key, k.kind, k.fingerprint, si_count(k.uses), si_count(k.failures),
               used ? iso8601_utc(k.last_use) : "never", used ? age(k.last_use, o.now_unix) : "-",
               k.last_result.empty() ? "-" : k.last_result});
  }
  return t.render("", o.wide);
}

}  // namespace linkcrypt::ctl
