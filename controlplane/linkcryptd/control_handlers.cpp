// ControlHandlers: the contract's control commands, built from the dataplane report and the
// keying controller (design.md §5; docs/control-socket.md).
#include "control_handlers.h"

#include <cinttypes>
#include <cstdio>

#include "control_commands.h"
#include "dataplane_keys.h"
#include "failure_hint.h"
#include "port_links.h"

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using json::Array;
using json::Object;
using json::Value;

std::string hex64(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

template <typename Counters>
Object counter_object(const Counters& c) {
  Object o;
  secy::visit_counters(c, [&](std::string_view name, uint64_t v) { o[std::string(name)] = Value(v); });
  return o;
}

// Updates the PN rate from the previous sample. A lower PN means a new SA took this AN: start over.
template <typename Sample>
void update_rate(Sample& s, Clock::time_point now, uint64_t next_pn) {
  const double dt = seconds_between(s.at, now);
  if (s.at == Clock::time_point{} || next_pn < s.next_pn) {
    s.rate = 0;
  } else if (dt > 0.05) {
    s.rate = static_cast<double>(next_pn - s.next_pn) / dt;
  } else {
    return;  // too soon for a meaningful rate: keep the previous sample
  }
  s.at = now;
  s.next_pn = next_pn;
}

template <typename Map, typename Key>
double rate_of(const Map& samples, const Key& key) {
  auto it = samples.find(key);
  return it == samples.end() ? 0.0 : it->second.rate;
}

}  // namespace

ControlHandlers::ControlHandlers(dpdk::Dataplane& dp, keying::KeyingController* controller,
                                 const DaemonOptions& opts)
    : dp_(dp), ctl_(controller), opts_(opts), started_(Clock::now()) {}

control::Reply ControlHandlers::handle(const control::Request& r) {
  if (r.cmd == "status") return control::Reply::success(status());
  if (r.cmd == "sa") return control::Reply::success(sa());
  if (r.cmd == "stats") return control::Reply::success(stats());
  if (r.cmd == "peer") {
    if (!ctl_) return control::Reply::failure(control::ErrorCode::kUnavailable, "manual keying: there is no IKE peer");
    return control::Reply::success(peer());
  }
  if (r.cmd == "rotations") {
    if (const auto* o = r.args.as_object(); o && o->count("last")) {
      const auto n = o->at("last").as_uint();
      if (!n) return control::Reply::failure(control::ErrorCode::kBadArgument, "last must be a non-negative integer");
    }
    return control::Reply::success(rotations(r.args));
  }
  if (r.cmd == "help") return control::Reply::success(control_help());
  if (r.cmd == "rekey") {
    if (!ctl_) return control::Reply::failure(control::ErrorCode::kUnavailable, "manual keying: nothing to rekey with (install a new key file)");
    const std::string why = ctl_->request_rotation(keying::RotationReason::Operator, Clock::now());
    if (!why.empty()) return control::Reply::failure(control::ErrorCode::kUnavailable, why);
    return control::Reply::success(Object{{"started", Value(true)}});
  }
  return control::Reply::failure(control::ErrorCode::kUnknownCommand,
                                 "unknown command '" + r.cmd + "' (see 'help')");
}

Value ControlHandlers::status() const {
  Object o;
  const auto uptime = static_cast<uint64_t>(seconds_between(started_, Clock::now()));
  o["must_secure"] = Value(true);
  o["uptime_s"] = Value(uptime);
  // The suite of the SA that protects frames now; before there is one, what IKE will negotiate.
  const auto report = dp_.sa().report();
  o["suite"] = opts_.ike ? Value(opts_.keying.suite) : Value();
  for (const auto& t : report.tx) {
    if (t.active) o["suite"] = Value(secy::cipher_suite_name(t.suite));
  }
  o["ports"] = ports_json(dp_.links());
  if (ctl_) {
    o["state"] = Value(keying::link_state_name(ctl_->state()));
    o["transport"] = Value(ctl_->transport().name());
    o["tx_an"] = ctl_->tx_an() ? Value(unsigned{*ctl_->tx_an()}) : Value();
    o["tx_key_id"] = ctl_->tx_key_id() ? Value(hex64(*ctl_->tx_key_id())) : Value();
    o["rotations"] = Value(ctl_->rotations().total());
    o["peer_id"] = Value(ctl_->peer().peer_id);
    o["ike_state"] = Value(ctl_->ike_state());
    o["role"] = Value(ctl_->initiator() ? "initiator" : "responder");
  } else {
    std::optional<uint8_t> an;
    for (const auto& t : report.tx) {
      if (t.active) an = t.an;
    }
    o["state"] = Value(an ? "secured" : "down");
    o["transport"] = Value("manual");
    o["tx_an"] = an ? Value(unsigned{*an}) : Value();
    o["tx_key_id"] = Value();
    o["rotations"] = Value(uint64_t{0});
    o["peer_id"] = Value();
    o["ike_state"] = Value("manual");
  }
  return o;
}

void ControlHandlers::sample_pn_rates(Clock::time_point now) {
  const auto rep = dp_.sa().report();
  for (const auto& t : rep.tx) update_rate(tx_samples_[t.an], now, t.next_pn);
  for (const auto& r : rep.rx_sa) update_rate(rx_samples_[{r.sci, r.an}], now, r.next_pn);
}

Value ControlHandlers::sa() {
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
  Array sas;
  for (const auto& t : rep.tx) {
    const auto* e = find(true, 0, t.an);
    Object s;
    s["direction"] = Value("tx");
    s["an"] = Value(unsigned{t.an});
    s["sci"] = Value(hex64(t.sci));
    s["suite"] = Value(secy::cipher_suite_name(t.suite));
    s["key_id"] = e ? Value(hex64(e->key_id)) : Value();
    s["state"] = Value(t.active ? "active" : "standby");
    s["next_pn"] = Value(t.next_pn);
    const uint64_t headroom = secy::pn_headroom(t.suite, t.next_pn);
    s["pn_headroom"] = Value(headroom);
    const double rate = rate_of(tx_samples_, t.an);
    s["time_to_exhaustion_s"] = rate > 0 ? Value(static_cast<double>(headroom) / rate) : Value();
    s["age_s"] = e ? Value(static_cast<uint64_t>(seconds_between(e->installed, now))) : Value();
    s["packets"] = Value(t.counters.out_pkts_protected + t.counters.out_pkts_encrypted);
    s["octets"] = Value(t.counters.out_octets_protected + t.counters.out_octets_encrypted);
    s["errors"] = Value(t.counters.tx_pn_exhausted);
    s["threshold_reached"] = Value(t.threshold_reached);
    sas.push_back(std::move(s));
  }
  for (const auto& r : rep.rx_sa) {
    const auto* e = find(false, r.sci, r.an);
    Object s;
    s["direction"] = Value("rx");
    s["an"] = Value(unsigned{r.an});
    s["sci"] = Value(hex64(r.sci));
    s["suite"] = Value(secy::cipher_suite_name(r.suite));
    s["key_id"] = e ? Value(hex64(e->key_id)) : Value();
    s["state"] = Value(e && e->state == keying::SaState::Retiring ? "retiring" : "active");
    s["next_pn"] = Value(r.next_pn);
    s["lowest_pn"] = Value(r.lowest_pn);
    const uint64_t headroom = secy::pn_headroom(r.suite, r.next_pn);
    s["pn_headroom"] = Value(headroom);
    const double rate = rate_of(rx_samples_, std::make_pair(r.sci, r.an));
    s["time_to_exhaustion_s"] = rate > 0 ? Value(static_cast<double>(headroom) / rate) : Value();
    s["age_s"] = e ? Value(static_cast<uint64_t>(seconds_between(e->installed, now))) : Value();
    s["packets"] = Value(r.counters.in_pkts_ok + r.counters.in_pkts_unchecked + r.counters.in_pkts_delayed +
                         r.counters.in_pkts_invalid);
    s["octets"] = Value(r.counters.in_octets_validated + r.counters.in_octets_decrypted);
    s["errors"] = Value(r.counters.in_pkts_not_valid + r.counters.in_pkts_invalid + r.counters.in_pkts_late);
    sas.push_back(std::move(s));
  }
  return Object{{"sas", Value(std::move(sas))}};
}

Value ControlHandlers::stats() const {
  const auto c = dp_.counters();
  Object o;
  o["secy"] = counter_object(c.secy);
  o["tx_sc"] = counter_object(c.sa.tx_sc);
  Array rx;
  for (const auto& sc : c.sa.rx_sc) {
    Object s = counter_object(sc.counters);
    s["sci"] = Value(hex64(sc.sci));
    rx.push_back(std::move(s));
  }
  o["rx_sc"] = Value(std::move(rx));
  Object d;
  dpdk::visit_counters(c.worker, [&](std::string_view name, uint64_t v) { d[std::string(name)] = Value(v); });
  dpdk::visit_counters(c.links, [&](std::string_view name, uint64_t v) { d[std::string(name)] = Value(v); });
  d["DropsTotal"] = Value(total_drops(c));
  o["dataplane"] = Value(std::move(d));
  // Frames the PMDs lost before a worker saw them (or after TX): part of DropsTotal too.
  Object ports;
  for (const auto& [role, pc] : {std::pair{"plain", &c.plain_port}, std::pair{"wire", &c.wire_port}}) {
    Object p;
    dpdk::visit_counters(*pc, [&](std::string_view name, uint64_t v) { p[std::string(name)] = Value(v); });
    ports[role] = Value(std::move(p));
  }
  o["ports"] = Value(std::move(ports));
  if (ctl_) {
    // Nested by origin; the names inside are each component's own counter names.
    Object ike;
    const auto s = ctl_->session_counters();
    ike["session"] = Object{{"rx_messages", Value(s.rx_messages)},
                            {"rx_malformed", Value(s.rx_malformed)},
                            {"rx_decrypt_failed", Value(s.rx_decrypt_failed)},
                            {"rx_unexpected", Value(s.rx_unexpected)},
                            {"rx_invalid", Value(s.rx_invalid)},
                            {"rx_retransmits", Value(s.rx_retransmits)},
                            {"tx_retransmits", Value(s.tx_retransmits)},
                            {"rx_untrusted_notify", Value(s.rx_untrusted_notify)}};
    if (const auto* r = ctl_->responder_counters()) {
      ike["responder"] = Object{{"accepted", Value(r->accepted)},
                                {"cookies_sent", Value(r->cookies_sent)},
                                {"cookie_invalid", Value(r->cookie_invalid)},
                                {"malformed", Value(r->malformed)},
                                {"over_limit", Value(r->over_limit)},
                                {"rejected", Value(r->rejected)}};
    }
    const auto& k = ctl_->counters();
    ike["keying"] = Object{{"rx_messages", Value(k.rx_messages)},
                           {"rx_unparsable", Value(k.rx_unparsable)},
                           {"rx_unrouted", Value(k.rx_unrouted)},
                           {"candidates_dropped", Value(k.candidates_dropped)},
                           {"connects", Value(k.connects)},
                           {"established", Value(k.established)},
                           {"links_lost", Value(k.links_lost)},
                           {"rotations_abandoned", Value(k.rotations_abandoned)},
                           {"tx_switch_timeouts", Value(k.tx_switch_timeouts)},
                           {"untrusted_notifies", Value(k.untrusted_notifies)}};
    Object t;
    for (const auto& [name, v] : ctl_->transport().counters()) t[name] = Value(v);
    ike["transport"] = Value(std::move(t));
    o["ike"] = Value(std::move(ike));
  }
  if (server_) {
    const auto& s = server_->stats();
    o["control"] = Object{{"connections", Value(s.connections)},
                          {"requests", Value(s.requests)},
                          {"errors", Value(s.errors)},
                          {"rejected_clients", Value(s.rejected_clients)},
                          {"dropped_slow_clients", Value(s.dropped_slow_clients)},
                          {"idle_timeouts", Value(s.idle_timeouts)},
                          {"permission_denied", Value(s.permission_denied)}};
  }
  return o;
}

Value ControlHandlers::peer() const {
  const auto now = Clock::now();
  const auto& p = ctl_->peer();
  Object o;
  o["ike_state"] = Value(ctl_->ike_state());
  o["peer_id"] = Value(p.peer_id);
  o["algorithms"] = p.algorithms.empty() ? Value() : Value(p.algorithms);
  o["last_handshake_s_ago"] =
      p.last_handshake ? Value(static_cast<uint64_t>(seconds_between(*p.last_handshake, now))) : Value();
  o["ike_rekeys"] = Value(p.ike_rekeys);
  o["child_rekeys"] = Value(p.child_rekeys);
  if (p.last_failure) {
    const auto& f = *p.last_failure;
    o["last_failure"] = Object{{"reason", Value(keying::failure_name(f.cause))},
                               {"detail", Value(f.detail)},
                               {"by_peer", Value(f.by_peer)},
                               {"s_ago", Value(static_cast<uint64_t>(seconds_between(f.at, now)))},
                               {"hint", Value(keying::failure_hint(f.cause))}};
  } else {
    o["last_failure"] = Value();
  }
  return o;
}

Value ControlHandlers::rotations(const json::Value& args) const {
  Array out;
  if (ctl_) {
    const auto& recs = ctl_->rotations().records();
    size_t first = 0;
    if (const auto* o = args.as_object(); o && o->count("last")) {
      const uint64_t n = o->at("last").as_uint().value_or(recs.size());
      if (n < recs.size()) first = recs.size() - n;
    }
    for (size_t i = first; i < recs.size(); ++i) {
      const auto& r = recs[i];
      out.push_back(Object{{"when", Value(r.when_unix)},
                           {"reason", Value(keying::rotation_reason_name(r.reason))},
                           {"duration_ms", Value(r.duration_ms)},
                           {"frames_dropped", Value(r.frames_dropped)},
                           {"complete", Value(r.complete)},
                           {"old_key_id", Value(hex64(r.old_key_id))},
                           {"new_key_id", Value(hex64(r.new_key_id))}});
    }
  }
  return Object{{"rotations", Value(std::move(out))}};
}

}  // namespace linkcrypt::daemon
