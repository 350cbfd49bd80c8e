// ControlHandlers: the contract's control commands (api/), filled from the dataplane report and
// the keying controller (design.md §5; docs/control-socket.md).
#include "control_handlers.h"

#include "api/commands.h"
#include "api/hex_id.h"
#include "dataplane_keys.h"
#include "key_audit.h"
#include "mka_status.h"
#include "failure_hint.h"
#include "port_links.h"
#include "sa_rows.h"
#include "status_failure.h"

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

template <typename Counters, typename Visit>
api::CounterMap counter_map(const Counters& c, Visit visit) {
  api::CounterMap m;
  visit(c, [&](std::string_view name, uint64_t v) { m[std::string(name)] = v; });
  return m;
}

template <typename Counters>
api::CounterMap secy_counters(const Counters& c) {
  return counter_map(c, [](const auto& x, auto f) { secy::visit_counters(x, f); });
}

template <typename Counters>
api::CounterMap dpdk_counters(const Counters& c) {
  return counter_map(c, [](const auto& x, auto f) { dpdk::visit_counters(x, f); });
}

template <typename Result>
control::Reply success(const Result& r) {
  return control::Reply::success(api::to_json_value(r));
}

}  // namespace

ControlHandlers::ControlHandlers(dpdk::Dataplane& dp, keying::KeyingController* controller,
                                 const DaemonOptions& opts)
    : dp_(dp), ctl_(controller), opts_(opts), started_(Clock::now()) {}

control::Reply ControlHandlers::handle(const control::Request& r) {
  if (r.cmd == "status") return success(status());
  if (r.cmd == "sa") return success(sa());
  if (r.cmd == "stats") return success(stats());
  if (r.cmd == "mka") {
    if (!mka_) return control::Reply::failure(control::ErrorCode::kUnavailable, "MKA is not in use (keying = mka enables it)");
    return success(mka_result(mka_->view()));
  }
  if (r.cmd == "peer") {
    if (mka_) return control::Reply::failure(control::ErrorCode::kUnavailable, "MKA keying: there is no IKE peer (see 'mka')");
    if (!ctl_) return control::Reply::failure(control::ErrorCode::kUnavailable, "manual keying: there is no IKE peer");
    return success(peer());
  }
  if (r.cmd == "keys") return success(keys_result());  // key_audit.cpp
  if (r.cmd == "rotations") {
    api::RotationsArgs args;
    api::DecodeError err;
    if (!api::from_json_value(r.args, args, err)) {
      return control::Reply::failure(control::ErrorCode::kBadArgument, err.where + " must be a non-negative integer");
    }
    return success(rotations(args));
  }
  if (r.cmd == "help") return success(api::help_result());
  if (r.cmd == "rekey" && mka_) {
    const std::string why = mka_->rekey(Clock::now());
    if (!why.empty()) return control::Reply::failure(control::ErrorCode::kUnavailable, why);
    return success(api::RekeyResult{true});
  }
  if (r.cmd == "rekey") {
    if (!ctl_) return control::Reply::failure(control::ErrorCode::kUnavailable, "manual keying: nothing to rekey with (install a new key file)");
    const std::string why = ctl_->request_rotation(keying::RotationReason::Operator, Clock::now());
    if (!why.empty()) return control::Reply::failure(control::ErrorCode::kUnavailable, why);
    return success(api::RekeyResult{true});
  }
  return control::Reply::failure(control::ErrorCode::kUnknownCommand,
                                 "unknown command '" + r.cmd + "' (see 'help')");
}

api::StatusResult ControlHandlers::status() const {
  api::StatusResult o;
  o.must_secure = true;
  o.uptime_s = static_cast<uint64_t>(seconds_between(started_, Clock::now()));
  // The suite of the SA that protects frames now; before there is one, what IKE will negotiate.
  const auto report = dp_.sa().report();
  if (opts_.ike) {
    if (const auto s = secy::parse_cipher_suite(opts_.keying.suite)) o.suite = std::string(secy::cipher_suite_name(*s));
  }
  std::optional<uint8_t> active_an;
  for (const auto& t : report.tx) {
    if (!t.active) continue;
    o.suite = std::string(secy::cipher_suite_name(t.suite));
    active_an = t.an;
  }
  o.ports = port_statuses(dp_.links());
  o.keylog = !opts_.keylog.empty();  // start-up refuses a keylog it cannot open
  if (ctl_) {
    o.state = keying::link_state_name(ctl_->state());
    o.transport = ctl_->transport().name();
    o.tx_an = ctl_->tx_an();
    if (ctl_->tx_key_id()) o.tx_key_id = api::hex_id(*ctl_->tx_key_id());
    o.rotations = ctl_->rotations().total();
    o.peer_id = ctl_->peer().peer_id;
    o.ike_state = ctl_->ike_state();
    o.ppk_protected = !ctl_->peer().ppk_id.empty();
    if (o.ppk_protected) o.ppk_id = ctl_->peer().ppk_id;
    o.role = ctl_->initiator() ? "initiator" : "responder";
    fill_failure(o, ctl_->state(), ctl_->peer(), Clock::now());
  } else if (mka_) {
    fill_mka_status(o, mka_->view(), Clock::now());
    if (const auto s = secy::parse_cipher_suite(mka_keying::mka_cipher_suite_name(mka_->view().cipher_suite))) {
      if (!active_an) o.suite = std::string(secy::cipher_suite_name(*s));
    }
  } else {
    o.state = active_an ? "secured" : "down";
    o.transport = "manual";
    o.tx_an = active_an;
    o.rotations = 0;
    o.ike_state = "manual";
  }
  return o;
}

void ControlHandlers::sample_pn_rates(Clock::time_point now) { rates_.sample(dp_.sa().report(), now); }

api::SaResult ControlHandlers::sa() {
  const auto now = Clock::now();
  const auto rep = dp_.sa().report();
  const keying::SaEntry* none = nullptr;
  auto find = [&](bool tx, uint64_t sci, uint8_t an) {
    if (!ctl_) return none;
    for (const auto& e : ctl_->sas()) {
      if (e.tx == tx && e.an == an && (tx || e.sci == sci)) return &e;
    }
    return none;
  };
  api::SaResult out;
  for (const auto& t : rep.tx) {
    out.sas.push_back(tx_sa_row(t, find(true, 0, t.an), rates_.tx(t.an), now));
  }
  for (const auto& r : rep.rx_sa) {
    out.sas.push_back(rx_sa_row(r, find(false, r.sci, r.an), rates_.rx(r.sci, r.an), now));
  }
  return out;
}

api::StatsResult ControlHandlers::stats() const {
  const auto c = dp_.counters();
  api::StatsResult o;
  o.secy = secy_counters(c.secy);
  o.tx_sc = secy_counters(c.sa.tx_sc);
  for (const auto& sc : c.sa.rx_sc) o.rx_sc.push_back({api::hex_id(sc.sci), secy_counters(sc.counters)});
  o.dataplane = dpdk_counters(c.worker);
  o.dataplane.merge(dpdk_counters(c.links));
  o.dataplane["DropsTotal"] = total_drops(c);
  // Each frame's time inside the worker (rx_burst returned → tx_burst), by direction.
  for (const auto& [dir, h] : {std::pair{"Protect", &c.worker.protect_latency}, std::pair{"Validate", &c.worker.validate_latency}}) {
    for (const auto& [suffix, q] : {std::pair{"P50Ns", 0.5}, std::pair{"P99Ns", 0.99}, std::pair{"P999Ns", 0.999}}) {
      o.dataplane[std::string(dir) + "Latency" + suffix] = h->quantile_ns(q, c.tsc_hz);
    }
  }
  // Frames the PMDs lost before a worker saw them (or after TX): part of DropsTotal too.
  o.ports.plain = dpdk_counters(c.plain_port);
  o.ports.wire = dpdk_counters(c.wire_port);
  if (ctl_) {
    api::IkeStats ike;
    const auto s = ctl_->session_counters();
    ike.session = {.rx_messages = s.rx_messages,
                   .rx_malformed = s.rx_malformed,
                   .rx_decrypt_failed = s.rx_decrypt_failed,
                   .rx_unexpected = s.rx_unexpected,
                   .rx_invalid = s.rx_invalid,
                   .rx_retransmits = s.rx_retransmits,
                   .tx_retransmits = s.tx_retransmits,
                   .rx_untrusted_notify = s.rx_untrusted_notify};
    if (const auto* r = ctl_->responder_counters()) {
      ike.responder = api::IkeResponderCounters{r->accepted,  r->cookies_sent, r->cookie_invalid,
                                                r->malformed, r->over_limit,   r->rejected};
    }
    const auto& k = ctl_->counters();
    ike.keying = {.rx_messages = k.rx_messages,
                  .rx_unparsable = k.rx_unparsable,
                  .rx_unrouted = k.rx_unrouted,
                  .candidates_dropped = k.candidates_dropped,
                  .connects = k.connects,
                  .established = k.established,
                  .links_lost = k.links_lost,
                  .rotations_abandoned = k.rotations_abandoned,
                  .tx_switch_timeouts = k.tx_switch_timeouts,
                  .untrusted_notifies = k.untrusted_notifies};
    for (const auto& [name, v] : ctl_->transport().counters()) ike.transport[name] = v;
    o.ike = std::move(ike);
  }
  if (server_) {
    const auto& s = server_->stats();
    o.control = api::ControlCounters{s.connections,          s.requests,      s.errors,           s.rejected_clients,
                                     s.dropped_slow_clients, s.idle_timeouts, s.permission_denied};
  }
  return o;
}

api::PeerResult ControlHandlers::peer() const {
  const auto now = Clock::now();
  const auto& p = ctl_->peer();
  api::PeerResult o;
  o.ike_state = ctl_->ike_state();
  o.peer_id = p.peer_id;
  if (!p.algorithms.empty()) o.algorithms = p.algorithms;
  o.ppk_protected = !p.ppk_id.empty();
  if (o.ppk_protected) o.ppk_id = p.ppk_id;
  if (p.last_handshake) o.last_handshake_s_ago = static_cast<uint64_t>(seconds_between(*p.last_handshake, now));
  o.ike_rekeys = p.ike_rekeys;
  o.child_rekeys = p.child_rekeys;
  if (p.last_failure) {
    const auto& f = *p.last_failure;
    api::PeerFailure out;
    out.reason = std::string(keying::failure_name(f.cause));
    out.detail = f.detail;
    out.by_peer = f.by_peer;
    out.s_ago = static_cast<uint64_t>(seconds_between(f.at, now));
    out.when = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
               static_cast<int64_t>(out.s_ago);
    // Once the link recovered, the failure is history: no hint that reads as if it still held.
    out.current = !f.resolved_at;
    if (out.current) out.hint = std::string(keying::failure_hint(f.cause));
    o.last_failure = std::move(out);
  }
  return o;
}

api::RotationsResult ControlHandlers::rotations(const api::RotationsArgs& args) const {
  api::RotationsResult out;
  if (!ctl_) return out;
  const auto& recs = ctl_->rotations().records();
  size_t first = 0;
  if (args.last && *args.last < recs.size()) first = recs.size() - *args.last;
  for (size_t i = first; i < recs.size(); ++i) {
    const auto& r = recs[i];
    out.rotations.push_back({r.when_unix, std::string(keying::rotation_reason_name(r.reason)), r.duration_ms,
                             r.frames_dropped, api::hex_id(r.old_key_id), api::hex_id(r.new_key_id), r.complete});
  }
  return out;
}

}  // namespace linkcrypt::daemon
