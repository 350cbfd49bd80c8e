// take_snapshot: the same sources as the control socket (SA report, dataplane counters, keying
// controller), copied so that the exporter thread never touches live daemon state.
#include "metrics_snapshot.h"

#include "failure_hint.h"

namespace linkcrypt::metrics {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

const keying::SaEntry* find_entry(const keying::KeyingController* c, bool tx, secy::Sci sci, uint8_t an) {
  if (!c) return nullptr;
  for (const auto& e : c->sas()) {
    if (e.tx == tx && e.an == an && (tx || e.sci == sci)) return &e;
  }
  return nullptr;
}

double headroom_ratio(secy::CipherSuite suite, uint64_t headroom) {
  return static_cast<double>(headroom) / static_cast<double>(secy::max_pn(suite));
}

KeyingSnapshot keying_snapshot(const keying::KeyingController& c, Clock::time_point now, double now_unix) {
  KeyingSnapshot k;
  k.link_state = std::string(keying::link_state_name(c.state()));
  k.ike_state = c.ike_state();
  k.initiator = c.initiator();
  k.ppk_id = c.peer().ppk_id;
  k.counters = c.counters();
  k.session = c.session_counters();
  if (const auto* r = c.responder_counters()) k.responder = *r;
  k.rotations = c.rotations().total();
  if (!c.rotations().records().empty()) {
    const auto& r = c.rotations().records().back();
    k.last_rotation = RotationSnapshot{r.when_unix, r.reason, r.duration_ms, r.frames_dropped, r.complete};
  }
  const auto& peer = c.peer();
  if (peer.last_handshake) k.last_handshake_unix = to_unix(*peer.last_handshake, now, now_unix);
  if (peer.last_failure) {
    k.last_failure_reason = std::string(keying::failure_name(peer.last_failure->cause));
    k.last_failure_by_peer = peer.last_failure->by_peer;
    k.last_failure_unix = to_unix(peer.last_failure->at, now, now_unix);
  }
  k.rekey_interval_s = seconds(c.policy().rekey_interval);
  return k;
}

}  // namespace

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double to_unix(Clock::time_point t, Clock::time_point now, double now_unix) {
  return now_unix - seconds(now - t);
}

MetricsSnapshot take_snapshot(const dpdk::Dataplane& dp, const keying::KeyingController* controller,
                              double start_unix) {
  const auto now = Clock::now();
  MetricsSnapshot s;
  s.taken_unix = unix_now();
  s.start_unix = start_unix;
  s.counters = dp.counters();
  s.plain = dp.links().plain();
  s.wire = dp.links().wire();
  bool tx_active = false;
  for (const auto& t : s.counters.sa.tx) {
    SaSnapshot a;
    a.tx = true;
    a.sci = t.sci;
    a.an = t.an;
    a.suite = t.suite;
    a.state = t.active ? "active" : "standby";
    a.next_pn = t.next_pn;
    // An exhausted XPN SA reports next PN 0 (past 2^64 - 1): its headroom is 0, not the whole space.
    a.pn_headroom = t.exhausted ? 0 : secy::pn_headroom(t.suite, t.next_pn);
    a.pn_headroom_ratio = headroom_ratio(t.suite, a.pn_headroom);
    a.tx_counters = t.counters;
    if (const auto* e = find_entry(controller, true, t.sci, t.an)) {
      a.key_id = e->key_id;
      a.age_s = seconds(now - e->installed);
    }
    tx_active = tx_active || t.active;
    s.sas.push_back(std::move(a));
  }
  for (const auto& r : s.counters.sa.rx_sa) {
    SaSnapshot a;
    a.sci = r.sci;
    a.an = r.an;
    a.suite = r.suite;
    a.next_pn = r.next_pn;
    a.pn_headroom = secy::pn_headroom(r.suite, r.next_pn);
    a.pn_headroom_ratio = headroom_ratio(r.suite, a.pn_headroom);
    a.rx_counters = r.counters;
    a.state = "active";
    if (const auto* e = find_entry(controller, false, r.sci, r.an)) {
      a.key_id = e->key_id;
      a.age_s = seconds(now - e->installed);
      if (e->state == keying::SaState::Retiring) a.state = "retiring";
    }
    s.sas.push_back(std::move(a));
  }
  if (controller) {
    s.keying = keying_snapshot(*controller, now, s.taken_unix);
    s.link_state = s.keying->link_state;
  } else {
    s.link_state = tx_active ? "secured" : "down";  // as `linkcryptctl status` says with manual keys
  }
  return s;
}

}  // namespace linkcrypt::metrics
