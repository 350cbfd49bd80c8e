// TelemetrySnapshotBuilder: the control socket's status and sa fields, from the same sources,
// in the shape DPDK telemetry can encode.
#include "telemetry_snapshot.h"

#include <cinttypes>
#include <cstdio>

#include "cipher_suite.h"

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;

std::string hex64(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

uint64_t whole_seconds(Clock::time_point from, Clock::time_point to) {
  return static_cast<uint64_t>(std::chrono::duration<double>(to - from).count());
}

void add(std::vector<TelemetryField>& f, std::string name, std::string v) {
  f.push_back({std::move(name), std::move(v)});
}
void add(std::vector<TelemetryField>& f, std::string name, std::string_view v) {
  f.push_back({std::move(name), std::string(v)});
}
void add(std::vector<TelemetryField>& f, std::string name, uint64_t v) { f.push_back({std::move(name), v}); }

TelemetryGroup port_group(const dpdk::PortLinkState& s, uint16_t port_id) {
  TelemetryGroup g{s.role, {}};
  // port_id is what /ethdev/stats,<id> and dpdk-dumpcap -i take.
  add(g.fields, "port_id", uint64_t{port_id});
  add(g.fields, "device", s.device);
  if (!s.ifname.empty()) add(g.fields, "interface", s.ifname);
  add(g.fields, "link", std::string_view(!s.known ? "unknown" : s.up ? "up" : "down"));
  add(g.fields, "operstate", s.operstate);
  add(g.fields, "mtu", uint64_t{s.mtu});
  if (s.speed_mbps != 0) add(g.fields, "speed_mbps", uint64_t{s.speed_mbps});
  return g;
}

}  // namespace

TelemetrySnapshotBuilder::TelemetrySnapshotBuilder(dpdk::Dataplane& dp, const keying::KeyingController* controller,
                                                   const DaemonOptions& opts)
    : dp_(dp), ctl_(controller), opts_(opts), started_(Clock::now()) {}

TelemetrySnapshot TelemetrySnapshotBuilder::build(Clock::time_point now) {
  // One SA report for both replies: status and sa describe the same instant.
  const auto report = dp_.sa().report();
  return {status(report, now), sa(report, now)};
}

TelemetryReply TelemetrySnapshotBuilder::status(const dpdk::SaReport& report, Clock::time_point now) const {
  TelemetryReply r;
  auto& f = r.fields;
  add(f, "must_secure", uint64_t{1});
  add(f, "uptime_s", whole_seconds(started_, now));
  std::string suite = opts_.ike ? opts_.keying.suite : "";
  for (const auto& t : report.tx) {
    if (t.active) suite = std::string(secy::cipher_suite_name(t.suite));
  }
  if (!suite.empty()) add(f, "suite", suite);
  if (ctl_) {
    add(f, "state", keying::link_state_name(ctl_->state()));
    add(f, "transport", ctl_->transport().name());
    if (ctl_->tx_an()) add(f, "tx_an", uint64_t{*ctl_->tx_an()});
    if (ctl_->tx_key_id()) add(f, "tx_key_id", hex64(*ctl_->tx_key_id()));
    add(f, "rotations", ctl_->rotations().total());
    add(f, "peer_id", ctl_->peer().peer_id);
    add(f, "ike_state", ctl_->ike_state());
    add(f, "role", std::string_view(ctl_->initiator() ? "initiator" : "responder"));
  } else {
    std::optional<uint8_t> an;
    for (const auto& t : report.tx) {
      if (t.active) an = t.an;
    }
    add(f, "state", std::string_view(an ? "secured" : "down"));
    add(f, "transport", std::string_view("manual"));
    if (an) add(f, "tx_an", uint64_t{*an});
    add(f, "rotations", uint64_t{0});
    add(f, "ike_state", std::string_view("manual"));
  }
  r.groups.push_back(port_group(dp_.links().plain(), dp_.plain_port().id()));
  r.groups.push_back(port_group(dp_.links().wire(), dp_.wire_port().id()));
  return r;
}

double TelemetrySnapshotBuilder::sample(RateSample& s, Clock::time_point now, uint64_t next_pn) {
  // As the control socket does: about one sample a second; a lower PN is a new SA on this AN.
  const double dt = std::chrono::duration<double>(now - s.at).count();
  if (s.at == Clock::time_point{} || next_pn < s.next_pn) {
    s.rate = 0;
  } else if (dt >= 1.0) {
    s.rate = static_cast<double>(next_pn - s.next_pn) / dt;
  } else {
    return s.rate;
  }
  s.at = now;
  s.next_pn = next_pn;
  return s.rate;
}

TelemetryReply TelemetrySnapshotBuilder::sa(const dpdk::SaReport& report, Clock::time_point now) {
  const keying::SaEntry* none = nullptr;
  auto find = [&](bool tx, uint64_t sci, uint8_t an) {
    if (!ctl_) return none;
    for (const auto& e : ctl_->sas()) {
      if (e.tx == tx && e.an == an && (tx || e.sci == sci)) return &e;
    }
    return none;
  };
  auto common = [&](TelemetryGroup& g, const keying::SaEntry* e, uint64_t sci, uint8_t an, secy::CipherSuite suite) {
    add(g.fields, "an", uint64_t{an});
    add(g.fields, "sci", hex64(sci));
    add(g.fields, "suite", secy::cipher_suite_name(suite));
    if (e) add(g.fields, "key_id", hex64(e->key_id));
    if (e) add(g.fields, "age_s", whole_seconds(e->installed, now));
  };
  auto exhaustion = [&](TelemetryGroup& g, uint64_t headroom, double rate) {
    add(g.fields, "pn_headroom", headroom);
    if (rate <= 0) return;
    // Telemetry has no floats: whole seconds, saturated (a rate below 1 PN/s overflows u64).
    const double s = static_cast<double>(headroom) / rate;
    add(g.fields, "time_to_exhaustion_s", s >= 18446744073709549568.0 ? UINT64_MAX : static_cast<uint64_t>(s));
  };
  TelemetryReply r;
  for (const auto& t : report.tx) {
    TelemetryGroup g{"tx_an" + std::to_string(t.an), {}};
    add(g.fields, "direction", std::string_view("tx"));
    common(g, find(true, 0, t.an), t.sci, t.an, t.suite);
    add(g.fields, "state", std::string_view(t.active ? "active" : "standby"));
    add(g.fields, "next_pn", t.next_pn);
    exhaustion(g, secy::pn_headroom(t.suite, t.next_pn), sample(rates_[{0, t.an}], now, t.next_pn));
    add(g.fields, "packets", t.counters.out_pkts_protected + t.counters.out_pkts_encrypted);
    add(g.fields, "octets", t.counters.out_octets_protected + t.counters.out_octets_encrypted);
    add(g.fields, "errors", t.counters.tx_pn_exhausted);
    add(g.fields, "threshold_reached", uint64_t{t.threshold_reached});
    r.groups.push_back(std::move(g));
  }
  for (const auto& x : report.rx_sa) {
    TelemetryGroup g{"rx_" + hex64(x.sci) + "_an" + std::to_string(x.an), {}};
    const auto* e = find(false, x.sci, x.an);
    add(g.fields, "direction", std::string_view("rx"));
    common(g, e, x.sci, x.an, x.suite);
    add(g.fields, "state", std::string_view(e && e->state == keying::SaState::Retiring ? "retiring" : "active"));
    add(g.fields, "next_pn", x.next_pn);
    add(g.fields, "lowest_pn", x.lowest_pn);
    exhaustion(g, secy::pn_headroom(x.suite, x.next_pn), sample(rates_[{x.sci, x.an + 4}], now, x.next_pn));
    add(g.fields, "packets", x.counters.in_pkts_ok + x.counters.in_pkts_unchecked + x.counters.in_pkts_delayed +
                                 x.counters.in_pkts_invalid);
    add(g.fields, "octets", x.counters.in_octets_validated + x.counters.in_octets_decrypted);
    add(g.fields, "errors", x.counters.in_pkts_not_valid + x.counters.in_pkts_invalid + x.counters.in_pkts_late);
    r.groups.push_back(std::move(g));
  }
  add(r.fields, "count", uint64_t{r.groups.size()});
  return r;
}

}  // namespace linkcrypt::daemon
