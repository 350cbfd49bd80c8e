// build_families: SecY/SC/SA counters under their 802.1AE names, drops by reason, keying state,
// rotations, PN headroom and link state, as Prometheus families.
#include "metric_families.h"

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <utility>

namespace linkcrypt::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

std::string hex64(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

// Families in the order they were first named; samples appended to them.
class Families {
 public:
  MetricFamily& family(const std::string& name, MetricType type, const std::string& help) {
    for (auto& f : out_) {
      if (f.name == name) return f;
    }
    out_.push_back(MetricFamily{name, help, type, {}});
    return out_.back();
  }
  void counter(const std::string& name, const std::string& help, Labels labels, double v) {
    ClientMetric m;
    m.label = std::move(labels);
    m.counter.value = v;
    family(name, MetricType::Counter, help).metric.push_back(std::move(m));
  }
  void gauge(const std::string& name, const std::string& help, Labels labels, double v) {
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = v;
    family(name, MetricType::Gauge, help).metric.push_back(std::move(m));
  }
  void summary(const std::string& name, const std::string& help, Labels labels, uint64_t count,
               std::vector<ClientMetric::Quantile> quantiles) {
    ClientMetric m;
    m.label = std::move(labels);
    m.summary.sample_count = count;
    m.summary.sample_sum = 0;  // not kept: the histogram has buckets, not a running sum
    m.summary.quantile = std::move(quantiles);
    family(name, MetricType::Summary, help).metric.push_back(std::move(m));
  }
  std::vector<MetricFamily> take() { return std::move(out_); }

 private:
  std::vector<MetricFamily> out_;
};

double num(uint64_t v) { return static_cast<double>(v); }

// The counters the SecY discards a frame under (and our own drops): linkcrypt_drops_total's
// reasons. Their sum is the control socket's DropsTotal.
void add_drops(Families& f, const dpdk::DataplaneCounters& c) {
  const std::string name = "linkcrypt_drops_total";
  const std::string help = "Frames dropped, by reason (802.1AE counter, our own drop counter or port drop counter)";
  const auto drop = [&](const std::string& reason, uint64_t v) { f.counter(name, help, {{"reason", reason}}, num(v)); };
  const auto& s = c.secy;
  drop("InPktsNoTag", s.in_pkts_no_tag);
  drop("InPktsBadTag", s.in_pkts_bad_tag);
  drop("InPktsNoSCI", s.in_pkts_no_sci);
  drop("InPktsOverrun", s.in_pkts_overrun);
  uint64_t not_using_sa = 0, not_valid = 0, late = 0, duplicate = 0;
  for (const auto& sc : c.sa.rx_sc) {
    not_using_sa += sc.counters.in_pkts_not_using_sa;
    not_valid += sc.counters.sa_sum.in_pkts_not_valid;
    late += sc.counters.sa_sum.in_pkts_late;
    duplicate += sc.counters.sa_sum.in_pkts_duplicate;
  }
  drop("InPktsNotUsingSA", not_using_sa);
  drop("InPktsNotValid", not_valid);
  drop("InPktsLate", late);
  drop("InPktsDuplicate", duplicate);
  drop("OutPktsTooLong", s.out_pkts_too_long);
  drop("TxNoSa", s.tx_no_sa);
  drop("TxPnExhausted", s.tx_pn_exhausted);
  drop("TxPnUnreserved", s.tx_pn_unreserved);
  drop("TxTooShort", s.tx_too_short);
  drop("TxClearTagMissing", s.tx_clear_tag_missing);
  const auto& w = c.worker;
  drop("PlainTxQueueFull", w.plain_tx_full);
  drop("WireTxQueueFull", w.wire_tx_full);
  drop("NoRoomForSecTag", w.no_room);
  drop("MultiSegment", w.multi_segment);
  drop("WireDownDrops", w.wire_down_drops);
  drop("KxPuntRingFull", w.kx_punt_full);
  drop("KxSendQueueFull", w.kx_send_full);
  drop("KxNoMbuf", w.kx_no_mbuf);
  drop("EapolPuntRingFull", w.eapol_punt_full);  // keying = mka (docs/mka.md)
  drop("EapolNoMbuf", w.eapol_no_mbuf);
  drop("PlainEapolDropped", w.plain_eapol_dropped);
  for (const auto& [role, pc] : {std::pair{"Plain", &c.plain_port}, std::pair{"Wire", &c.wire_port}}) {
    drop(std::string(role) + "RxMissed", pc->rx_missed);
    drop(std::string(role) + "KxRxMissed", pc->kx_rx_missed);
    drop(std::string(role) + "KxPriorityRxMissed", pc->kx_priority_rx_missed);
    drop(std::string(role) + "EapolRxMissed", pc->eapol_rx_missed);
    drop(std::string(role) + "RxErrors", pc->rx_errors);
    drop(std::string(role) + "RxNoMbuf", pc->rx_no_mbuf);
    drop(std::string(role) + "TxErrors", pc->tx_errors);
  }
}

// Each frame's time inside a worker (rx_burst returned to tx_burst), per direction, from the
// per-lcore log-linear histograms: quantiles 0.5, 0.99, 0.999 in seconds (upper bucket edge).
void add_latency(Families& f, const dpdk::DataplaneCounters& c) {
  for (const auto& [dir, h] : {std::pair{"protect", &c.worker.protect_latency}, std::pair{"validate", &c.worker.validate_latency}}) {
    std::vector<ClientMetric::Quantile> qs;
    for (double q : {0.5, 0.99, 0.999}) {
      ClientMetric::Quantile x;
      x.quantile = q;
      x.value = static_cast<double>(h->quantile_ns(q, c.tsc_hz)) / 1e9;
      qs.push_back(x);
    }
    f.summary("linkcrypt_frame_latency_seconds",
              "Time a frame spends inside the worker, from its burst's receive to its hand-over to TX, by direction",
              {{"direction", dir}}, h->total(), std::move(qs));
  }
}

// secyStatsTable: the SecY's own counters (the octet counters are per SC below).
void add_secy(Families& f, const dpdk::DataplaneCounters& c) {
  const auto& s = c.secy;
  const std::pair<const char*, uint64_t> rows[] = {
      {"InPktsUntagged", s.in_pkts_untagged}, {"InPktsNoTag", s.in_pkts_no_tag},
      {"InPktsBadTag", s.in_pkts_bad_tag},   {"InPktsUnknownSCI", s.in_pkts_unknown_sci},
      {"InPktsNoSCI", s.in_pkts_no_sci},     {"InPktsOverrun", s.in_pkts_overrun},
      {"OutPktsUntagged", s.out_pkts_untagged}, {"OutPktsTooLong", s.out_pkts_too_long},
  };
  for (const auto& [name, v] : rows) {
    f.counter("macsec_" + snake_case(name) + "_total", std::string("802.1AE SecY ") + name, {}, num(v));
  }
  for (size_t r = 0; r < static_cast<size_t>(secy::BadTagReason::kCount); ++r) {
    f.counter("macsec_in_pkts_bad_tag_by_reason_total", "802.1AE SecY InPktsBadTag split by why the SecTAG was refused",
              {{"reason", secy::bad_tag_reason_name(static_cast<secy::BadTagReason>(r))}},
              num(s.in_bad_tag_by_reason[r]));
  }
}

// secyRxSCStatsTable (label sci) and secyTxSCStatsTable (one transmit SC: no label).
void add_sc(Families& f, const dpdk::DataplaneCounters& c) {
  for (const auto& sc : c.sa.rx_sc) {
    secy::visit_counters(sc.counters, [&](std::string_view name, uint64_t v) {
      f.counter("macsec_" + snake_case(name) + "_total",
                "802.1AE receive SC " + std::string(name) + " (every SA the SC has had)", {{"sci", hex64(sc.sci)}},
                num(v));
    });
  }
  secy::visit_counters(c.sa.tx_sc, [&](std::string_view name, uint64_t v) {
    if (name == "TxPnExhausted" || name == "TxPnUnreserved") return;  // a drop: linkcrypt_drops_total{reason="TxPnExhausted"}
    f.counter("macsec_" + snake_case(name) + "_total",
              "802.1AE transmit SC " + std::string(name) + " (every SA the SC has had)", {}, num(v));
  });
}

Labels sa_labels(const SaSnapshot& a) {
  return {{"direction", a.tx ? "tx" : "rx"}, {"sci", hex64(a.sci)}, {"an", std::to_string(a.an)}};
}

// secyRxSAStatsTable / secyTxSAStatsTable for the SAs installed now, and their PN state.
void add_sa(Families& f, const std::vector<SaSnapshot>& sas) {
  for (const auto& a : sas) {
    Labels info = sa_labels(a);
    info.push_back({"suite", std::string(secy::cipher_suite_name(a.suite))});
    info.push_back({"state", a.state});
    info.push_back({"key_id", a.key_id ? hex64(*a.key_id) : ""});
    f.gauge("linkcrypt_sa_info", "An installed SA (always 1): suite, state and key identifier (IKE keying)",
            std::move(info), 1);
    f.gauge("linkcrypt_sa_next_pn", "The SA's next PN (tx: next to send; rx: 10.6.5 nextPN)", sa_labels(a),
            num(a.next_pn));
    f.gauge("linkcrypt_sa_pn_headroom", "PNs the SA may still use before its PN space is spent", sa_labels(a),
            num(a.pn_headroom));
    f.gauge("linkcrypt_sa_pn_headroom_ratio",
            "PN headroom as a fraction of the suite's PN space (0.05 = 5% left)", sa_labels(a),
            a.pn_headroom_ratio);
    if (a.age_s) {
      f.gauge("linkcrypt_sa_age_seconds", "Seconds since the SA was installed (IKE keying)", sa_labels(a), *a.age_s);
    }
    const Labels l{{"sci", hex64(a.sci)}, {"an", std::to_string(a.an)}};
    if (a.tx) {
      secy::visit_counters(a.tx_counters, [&](std::string_view name, uint64_t v) {
        if (name == "TxPnExhausted" || name == "TxPnUnreserved") return;
        f.counter("macsec_tx_sa_" + snake_case(name) + "_total", "802.1AE transmit SA " + std::string(name), l,
                  num(v));
      });
    } else {
      secy::visit_counters(a.rx_counters, [&](std::string_view name, uint64_t v) {
        f.counter("macsec_rx_sa_" + snake_case(name) + "_total", "802.1AE receive SA " + std::string(name), l,
                  num(v));
      });
    }
  }
}

void add_ports(Families& f, const MetricsSnapshot& s) {
  for (const auto* p : {&s.plain, &s.wire}) {
    const Labels l{{"port", p->role}, {"device", p->device}};
    f.gauge("linkcrypt_port_up", "1 when frames can move on the port (link up, and admin up for kernel ports)", l,
            p->known && p->up ? 1 : 0);
    f.gauge("linkcrypt_port_mtu", "The port's MTU in octets (0: not known yet)", l, p->mtu);
  }
  const auto& w = s.counters.worker;
  const std::string frames = "linkcrypt_port_frames_total";
  const std::string help = "Frames the workers received from and handed to each port";
  f.counter(frames, help, {{"port", "plain"}, {"direction", "rx"}}, num(w.plain_rx));
  f.counter(frames, help, {{"port", "plain"}, {"direction", "tx"}}, num(w.plain_tx));
  f.counter(frames, help, {{"port", "wire"}, {"direction", "rx"}}, num(w.wire_rx));
  f.counter(frames, help, {{"port", "wire"}, {"direction", "tx"}}, num(w.wire_tx));
  const std::string changes = "linkcrypt_port_link_changes_total";
  const std::string ch_help = "Link transitions seen on each port";
  const auto& lc = s.counters.links;
  f.counter(changes, ch_help, {{"port", "plain"}, {"to", "down"}}, num(lc.plain_link_down));
  f.counter(changes, ch_help, {{"port", "plain"}, {"to", "up"}}, num(lc.plain_link_up));
  f.counter(changes, ch_help, {{"port", "wire"}, {"to", "down"}}, num(lc.wire_link_down));
  f.counter(changes, ch_help, {{"port", "wire"}, {"to", "up"}}, num(lc.wire_link_up));
  f.counter("linkcrypt_pn_threshold_events_total", "Bursts in which the transmit SA crossed its rekey-threshold PN",
            {}, num(w.pn_threshold_events));
}

void add_link_state(Families& f, const MetricsSnapshot& s) {
  // A state set: one series per state, 1 for the current one (alerts match state="secured").
  for (const char* state : {"down", "keying", "secured", "failed"}) {
    f.gauge("linkcrypt_link_state", "1 for the link's current keying state (secured: frames are protected)",
            {{"state", state}}, s.link_state == state ? 1 : 0);
  }
}

void add_keying(Families& f, const KeyingSnapshot& k) {
  f.gauge("linkcrypt_ike_state_info", "The IKE SA's state (always 1; the state is the label)",
          {{"state", k.ike_state}, {"role", k.initiator ? "initiator" : "responder"}}, 1);
  // RFC 8784: alerts match == 0 on links that must be post-quantum protected (docs/metrics.md).
  f.gauge("linkcrypt_ike_ppk_protected",
          "1 when the current IKE SA's keys include a post-quantum preshared key (RFC 8784); ppk_id names it",
          {{"ppk_id", k.ppk_id}}, k.ppk_id.empty() ? 0 : 1);
  const std::pair<const char*, uint64_t> keying[] = {
      {"connects", k.counters.connects},
      {"established", k.counters.established},
      {"links_lost", k.counters.links_lost},
      {"rx_messages", k.counters.rx_messages},
      {"rx_unparsable", k.counters.rx_unparsable},
      {"rx_unrouted", k.counters.rx_unrouted},
      {"candidates_dropped", k.counters.candidates_dropped},
      {"rotations_abandoned", k.counters.rotations_abandoned},
      {"tx_switch_timeouts", k.counters.tx_switch_timeouts},
  };
  for (const auto& [name, v] : keying) {
    f.counter(std::string("linkcrypt_ike_") + name + "_total", std::string("Keying controller: ") + name, {}, num(v));
  }
  const std::pair<const char*, uint64_t> session[] = {
      {"rx_messages", k.session.rx_messages},       {"rx_malformed", k.session.rx_malformed},
      {"rx_decrypt_failed", k.session.rx_decrypt_failed}, {"rx_unexpected", k.session.rx_unexpected},
      {"rx_invalid", k.session.rx_invalid},         {"rx_retransmits", k.session.rx_retransmits},
      {"tx_retransmits", k.session.tx_retransmits},
  };
  for (const auto& [name, v] : session) {
    f.counter(std::string("linkcrypt_ike_session_") + name + "_total",
              std::string("The current IKE SA: ") + name + " (starts at 0 with each IKE SA)", {}, num(v));
  }
  if (k.last_handshake_unix) {
    f.gauge("linkcrypt_ike_last_handshake_timestamp_seconds", "When the IKE SA last came up (Unix time)", {},
            *k.last_handshake_unix);
  }
  if (k.last_failure_reason) {
    f.gauge("linkcrypt_ike_last_failure_info", "The last keying failure (always 1; reason PeerDead: liveness failed)",
            {{"reason", *k.last_failure_reason}, {"by_peer", k.last_failure_by_peer ? "true" : "false"}}, 1);
    f.gauge("linkcrypt_ike_last_failure_timestamp_seconds", "When the last keying failure happened (Unix time)", {},
            k.last_failure_unix);
  }
  f.counter("linkcrypt_rotations_total", "Key rotations started since the daemon started", {}, num(k.rotations));
  f.gauge("linkcrypt_rekey_interval_seconds", "The configured time between key rotations (0: no time trigger)", {},
          k.rekey_interval_s);
  if (k.last_rotation) {
    const auto& r = *k.last_rotation;
    f.gauge("linkcrypt_last_rotation_timestamp_seconds", "When the last rotation was requested (Unix time)",
            {{"reason", std::string(keying::rotation_reason_name(r.reason))}}, static_cast<double>(r.when_unix));
    f.gauge("linkcrypt_last_rotation_duration_seconds", "The last rotation's request to transmit switch time", {},
            static_cast<double>(r.duration_ms) / 1000.0);
    f.gauge("linkcrypt_last_rotation_frames_dropped",
            "Frames dropped during the last rotation (drop counters' delta until the old receive SAs retired)", {},
            num(r.frames_dropped));
    f.gauge("linkcrypt_last_rotation_complete", "1 once the last rotation's old receive SAs have retired", {},
            r.complete ? 1 : 0);
  }
}

}  // namespace

std::string snake_case(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char ch = camel[i];
    const bool upper = std::isupper(static_cast<unsigned char>(ch)) != 0;
    if (upper && i > 0) {
      const bool prev_lower = std::islower(static_cast<unsigned char>(camel[i - 1])) != 0;
      const bool next_lower = i + 1 < camel.size() && std::islower(static_cast<unsigned char>(camel[i + 1])) != 0;
      const bool prev_upper = std::isupper(static_cast<unsigned char>(camel[i - 1])) != 0;
      if (prev_lower || (prev_upper && next_lower)) out += '_';
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out;
}

std::vector<MetricFamily> build_families(const MetricsSnapshot& s) {
  Families f;
  f.gauge("linkcrypt_start_time_seconds", "When the daemon started (Unix time)", {}, s.start_unix);
  add_link_state(f, s);
  add_secy(f, s.counters);
  add_sc(f, s.counters);
  add_sa(f, s.sas);
  add_drops(f, s.counters);
  add_latency(f, s.counters);
  add_ports(f, s);
  if (s.keying) add_keying(f, *s.keying);
  return f.take();
}

}  // namespace linkcrypt::metrics
