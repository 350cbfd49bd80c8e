// `peer`: the IKE peer as `wg show` shows one: identity first, then state, handshake, failure.
#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {

std::string render_peer(const api::PeerResult& r, const RenderOptions& o) {
  std::string out = "peer " + (r.peer_id.empty() ? std::string("-") : r.peer_id) + "\n";
  auto at = [&](uint64_t s_ago) { return when(o.now_unix - static_cast<int64_t>(s_ago), o.now_unix); };
  FieldBlock f;
  f.add("IKE state", r.ike_state);
  f.add("algorithms", r.algorithms.value_or("- (no handshake yet)"));
  f.add("PPK", r.ppk_protected ? "id " + r.ppk_id.value_or("-") + " (RFC 8784: post-quantum preshared key in the keys)"
                               : std::string("none"));
  f.add("last handshake", r.last_handshake_s_ago ? at(*r.last_handshake_s_ago) : "never");
  f.add("rekeys", std::to_string(r.ike_rekeys) + " IKE SA, " + std::to_string(r.child_rekeys) + " child SA");
  if (!r.last_failure) {
    f.add("last failure", "none");
  } else {
    const auto& x = *r.last_failure;
    const std::string time = x.when != 0 ? when(x.when, o.now_unix) : at(x.s_ago);
    f.add("last failure", x.reason + (x.by_peer ? ", reported by the peer, " : ", found here, ") + time +
                              (x.current ? "" : "; resolved since (history)"));
    if (!x.detail.empty()) f.add("detail", x.detail);
    if (x.hint) f.add("hint", *x.hint);
  }
  return out + f.render("  ");
}

}  // namespace linkcrypt::ctl
