// mka_result / fill_mka_status: identifiers and states only, never key bytes.
#include "mka_status.h"

#include <algorithm>
#include <cstdio>

#include "hex.h"
#include "mka_config.h"

namespace linkcrypt::daemon {
namespace {

std::string sci_text(const std::array<uint8_t, 8>& sci) { return to_hex(sci, false); }

}  // namespace

api::MkaResult mka_result(const mka_keying::MkaView& v) {
  const auto& p = v.participant;
  api::MkaResult r;
  r.ckn = to_hex(v.ckn, false);
  r.mi = to_hex(p.mi, false);
  r.mn = p.mn;
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v.sci));
  r.sci = b;
  r.priority = v.key_server_priority;
  r.key_server = p.key_server;
  r.suite = mka_keying::mka_cipher_suite_name(v.cipher_suite);
  for (const auto& peer : p.peers) {
    r.peers.push_back({to_hex(peer.mi, false), peer.mn, sci_text(peer.sci), peer.priority, peer.live, peer.key_server});
  }
  if (p.latest_key) {
    r.sak = api::MkaSak{to_hex(p.latest_key->ks_mi, false), p.latest_key->kn, p.latest_an, r.suite, p.latest_tx,
                        p.latest_rx};
  }
  if (v.tx_an) r.tx_an = *v.tx_an;
  r.rotations = v.rotations;
  r.failure = v.failure;
  r.failure_detail = v.failure_detail;
  r.failure_hint = v.failure_hint;
  const auto& c = p.counters;
  r.counters = {{"MkpdusSent", c.mkpdus_sent},       {"MkpdusReceived", c.mkpdus_received},
                {"MkpdusValid", c.mkpdus_valid},     {"BadIcv", c.bad_icv},
                {"OtherCkn", c.other_ckn},           {"Malformed", c.malformed},
                {"ReplayedMn", c.replayed_mn},       {"OwnLooped", c.own_looped},
                {"FromUnknownKeyServer", c.from_unknown_key_server},
                {"SaksDistributed", c.saks_distributed}, {"SaksInstalled", c.saks_installed},
                {"SendFailed", v.frames_dropped_on_send}};
  return r;
}

void fill_mka_status(api::StatusResult& s, const mka_keying::MkaView& v, std::chrono::steady_clock::time_point now) {
  s.transport = "mka";
  s.ike_state = "mka";
  s.tx_an = v.tx_an;
  s.rotations = v.rotations;
  if (v.participant.latest_key && v.secured) {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v.participant.latest_key->kn));
    s.tx_key_id = b;
  }
  const bool live_peer = std::any_of(v.participant.peers.begin(), v.participant.peers.end(),
                                     [](const mka::PeerView& p) { return p.live; });
  if (v.secured) {
    s.state = "secured";
    return;
  }
  s.state = v.failure ? "failed" : (live_peer ? "keying" : "down");
  if (v.failure) {
    s.failure = *v.failure;
    s.failure_hint = v.failure_detail ? *v.failure_detail + "; " + v.failure_hint.value_or("") : v.failure_hint;
    if (v.failure_at) {
      s.failure_s_ago = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now - *v.failure_at).count());
    }
  }
}

}  // namespace linkcrypt::daemon
