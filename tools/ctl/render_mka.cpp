// `mka`: the actor (us), the CAK in use by its CKN, the SAK in use, then one row per peer.
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {

std::string render_mka(const api::MkaResult& r, const RenderOptions& o) {
  std::string out = "MKA member " + r.mi + (r.key_server ? " (key server)" : "") + "\n";
  FieldBlock f;
  f.add("CAK", "CKN " + r.ckn + " (the CAK itself is never shown)");
  f.add("actor", "MI " + r.mi + ", MN " + std::to_string(r.mn) + ", SCI " + r.sci + ", priority " +
                     std::to_string(r.priority));
  f.add("key server", r.key_server ? "yes (elected)" : "no");
  f.add("cipher suite", r.suite);
  if (r.sak) {
    f.add("SAK", "KN " + std::to_string(r.sak->kn) + " from " + r.sak->key_server_mi + ", AN " +
                     std::to_string(r.sak->an) + ", " + r.sak->suite + (r.sak->tx ? ", transmit" : "") +
                     (r.sak->rx ? ", receive" : ""));
  } else {
    f.add("SAK", "none yet");
  }
  f.add("transmit", r.tx_an ? "AN " + std::to_string(*r.tx_an) : "nothing (must-secure)");
  f.add("rotations", std::to_string(r.rotations));
  if (r.failure) {
    f.add("failure", *r.failure + (r.failure_detail ? ": " + *r.failure_detail : ""));
    if (r.failure_hint) f.add("hint", *r.failure_hint);
  }
  out += f.render("  ");
  Table t({{"PEER MI"}, {"MN", true}, {"SCI", false, false, true}, {"PRIO", true}, {"STATE"}, {"KEY SERVER"}});
  for (const auto& p : r.peers) {
    t.add_row({p.mi, std::to_string(p.mn), p.sci, std::to_string(p.priority), p.live ? "live" : "potential",
               p.key_server ? "yes" : "no"});
  }
  out += r.peers.empty() ? "\npeers: none\n" : "\npeers:\n" + t.render("  ", o.wide);
  return out;
}

}  // namespace linkcrypt::ctl
