// build_families: 802.1AE names, labels and values from a hand-made snapshot, rendered as text.
#include "metric_families.h"

#include <gtest/gtest.h>
#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <cstring>
#include <set>
#include <sstream>

#include "dataplane_counters.h"

namespace linkcrypt::metrics {
namespace {

std::string render(const MetricsSnapshot& s) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, build_families(s));
  return out.str();
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

MetricsSnapshot manual_snapshot() {
  MetricsSnapshot s;
  s.start_unix = 1000;
  s.link_state = "secured";
  s.counters.secy.in_pkts_bad_tag = 3;
  s.counters.secy.in_bad_tag_by_reason[static_cast<size_t>(secy::BadTagReason::SlMismatch)] = 3;
  s.counters.secy.in_pkts_no_tag = 5;
  s.counters.secy.tx_no_sa = 7;
  s.counters.worker.plain_rx = 100;
  s.counters.worker.wire_down_drops = 2;
  s.counters.wire_port.rx_missed = 11;
  dpdk::RxScReport sc{};
  sc.sci = 0x020000000b000001;
  sc.counters.sa_sum.in_pkts_ok = 90;
  sc.counters.sa_sum.in_pkts_not_valid = 4;
  sc.counters.sa_sum.in_pkts_late = 1;
  sc.counters.in_pkts_not_using_sa = 6;
  s.counters.sa.rx_sc.push_back(sc);
  s.counters.sa.tx_sc.out_pkts_encrypted = 80;
  s.counters.sa.tx_sc.out_octets_encrypted = 8000;
  SaSnapshot tx;
  tx.tx = true;
  tx.sci = 0x020000000a000001;
  tx.an = 1;
  tx.suite = secy::CipherSuite::GcmAes128;
  tx.state = "active";
  tx.next_pn = 81;
  tx.pn_headroom = 0xFFFFFFFFull - 80;
  tx.pn_headroom_ratio = 0.25;
  tx.tx_counters.out_pkts_encrypted = 80;
  s.sas.push_back(tx);
  SaSnapshot rx;
  rx.sci = 0x020000000b000001;
  rx.an = 2;
  rx.suite = secy::CipherSuite::GcmAes128;
  rx.state = "active";
  rx.next_pn = 91;
  rx.rx_counters.in_pkts_ok = 90;
  rx.rx_counters.in_pkts_not_valid = 4;
  s.sas.push_back(rx);
  s.wire.role = "wire";
  s.wire.device = "net_af_packet1";
  s.wire.known = s.wire.up = true;
  s.wire.mtu = 1532;
  s.plain.role = "plain";
  s.plain.device = "net_af_packet0";
  return s;
}

TEST(MetricFamilies, SnakeCaseOfTheStandardNames) {
  EXPECT_EQ(snake_case("InPktsNotValid"), "in_pkts_not_valid");
  EXPECT_EQ(snake_case("InPktsOK"), "in_pkts_ok");
  EXPECT_EQ(snake_case("InPktsUnknownSCI"), "in_pkts_unknown_sci");
  EXPECT_EQ(snake_case("InPktsNotUsingSA"), "in_pkts_not_using_sa");
  EXPECT_EQ(snake_case("OutOctetsEncrypted"), "out_octets_encrypted");
}

TEST(MetricFamilies, CountersUnderTheirMibNames) {
  const std::string t = render(manual_snapshot());
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_bad_tag_total 3")) << t;
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_bad_tag_by_reason_total{reason=\"SlMismatch\"} 3"));
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_bad_tag_by_reason_total{reason=\"PnZero\"} 0"));
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_no_tag_total 5"));
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_ok_total{sci=\"020000000b000001\"} 90"));
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_not_valid_total{sci=\"020000000b000001\"} 4"));
  EXPECT_TRUE(has_line(t, "macsec_in_pkts_not_using_sa_total{sci=\"020000000b000001\"} 6"));
  EXPECT_TRUE(has_line(t, "macsec_out_pkts_encrypted_total 80"));
  EXPECT_TRUE(has_line(t, "macsec_out_octets_encrypted_total 8000"));
  EXPECT_TRUE(has_line(t, "macsec_tx_sa_out_pkts_encrypted_total{sci=\"020000000a000001\",an=\"1\"} 80"));
  EXPECT_TRUE(has_line(t, "macsec_rx_sa_in_pkts_ok_total{sci=\"020000000b000001\",an=\"2\"} 90"));
  EXPECT_TRUE(has_line(t, "linkcrypt_port_frames_total{port=\"plain\",direction=\"rx\"} 100"));
  EXPECT_TRUE(has_line(t, "# TYPE macsec_in_pkts_not_valid_total counter"));
}

TEST(MetricFamilies, DropsByReasonSumToTheDropTotal) {
  const auto fams = build_families(manual_snapshot());
  double sum = 0;
  std::set<std::string> reasons;
  for (const auto& f : fams) {
    if (f.name != "linkcrypt_drops_total") continue;
    for (const auto& m : f.metric) {
      ASSERT_EQ(m.label.size(), 1u);
      EXPECT_TRUE(reasons.insert(m.label[0].value).second) << "reason twice: " << m.label[0].value;
      sum += m.counter.value;
    }
  }
  // no tag 5 + bad tag 3 + not using SA 6 + not valid 4 + late 1 + no SA 7 + wire down 2 + wire missed 11
  EXPECT_EQ(sum, 39);
  EXPECT_TRUE(reasons.count("InPktsNotValid"));
  EXPECT_TRUE(reasons.count("WireRxMissed"));
  EXPECT_TRUE(reasons.count("TxPnExhausted"));
}

// Every uint64_t field of a counter block set to a distinct value: a drop counter left out of
// linkcrypt_drops_total (or counted twice) changes the sum.
template <typename Block>
void fill_distinct(Block& b, uint64_t& next) {
  static_assert(sizeof(Block) % sizeof(uint64_t) == 0);
  uint64_t v[sizeof(Block) / sizeof(uint64_t)];
  for (auto& x : v) x = next++;
  std::memcpy(static_cast<void*>(&b), v, sizeof v);
}

TEST(MetricFamilies, DropsSumIsTheDaemonsDropTotal) {
  MetricsSnapshot s = manual_snapshot();
  uint64_t next = 1;
  fill_distinct(s.counters.secy, next);
  fill_distinct(s.counters.worker, next);
  fill_distinct(s.counters.plain_port, next);
  fill_distinct(s.counters.wire_port, next);
  fill_distinct(s.counters.sa.rx_sc[0].counters, next);
  double sum = 0;
  for (const auto& f : build_families(s)) {
    if (f.name != "linkcrypt_drops_total") continue;
    for (const auto& m : f.metric) sum += m.counter.value;
  }
  EXPECT_EQ(sum, static_cast<double>(dpdk::total_drops(s.counters)));
}

TEST(MetricFamilies, SaPnAndLinkState) {
  const std::string t = render(manual_snapshot());
  EXPECT_TRUE(has_line(t, "linkcrypt_sa_pn_headroom_ratio{direction=\"tx\",sci=\"020000000a000001\",an=\"1\"} 0.25")) << t;
  EXPECT_TRUE(has_line(t, "linkcrypt_sa_pn_headroom{direction=\"tx\",sci=\"020000000a000001\",an=\"1\"} 4294967215"));
  EXPECT_TRUE(has_line(t, "linkcrypt_sa_next_pn{direction=\"rx\",sci=\"020000000b000001\",an=\"2\"} 91"));
  EXPECT_TRUE(has_line(t, "linkcrypt_sa_info{direction=\"tx\",sci=\"020000000a000001\",an=\"1\",suite=\"gcm-aes-128\","
                          "state=\"active\",key_id=\"\"} 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_link_state{state=\"secured\"} 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_link_state{state=\"down\"} 0"));
  EXPECT_TRUE(has_line(t, "linkcrypt_port_up{port=\"wire\",device=\"net_af_packet1\"} 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_port_up{port=\"plain\",device=\"net_af_packet0\"} 0"));
  // Manual keys: no IKE families, no SA age (there is no install time to report).
  EXPECT_EQ(t.find("linkcrypt_ike_"), std::string::npos);
  EXPECT_EQ(t.find("linkcrypt_sa_age_seconds"), std::string::npos);
  EXPECT_EQ(t.find("linkcrypt_rotations_total"), std::string::npos);
}

TEST(MetricFamilies, KeyingStateAndLastRotation) {
  MetricsSnapshot s = manual_snapshot();
  s.sas[0].key_id = 0xabcdef;
  s.sas[0].age_s = 12.5;
  KeyingSnapshot k;
  k.link_state = "secured";
  k.ike_state = "established";
  k.counters.established = 2;
  k.counters.links_lost = 1;
  k.rotations = 9;
  k.rekey_interval_s = 60;
  k.last_rotation = RotationSnapshot{1700000000, keying::RotationReason::Interval, 250, 3, true};
  k.last_failure_reason = "PeerDead";
  k.last_failure_unix = 1699999000;
  s.keying = k;
  const std::string t = render(s);
  EXPECT_TRUE(has_line(t, "linkcrypt_ike_state_info{state=\"established\",role=\"initiator\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "linkcrypt_ike_ppk_protected{ppk_id=\"\"} 0")) << t;
  EXPECT_TRUE(has_line(t, "linkcrypt_ike_established_total 2"));
  EXPECT_TRUE(has_line(t, "linkcrypt_ike_links_lost_total 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_rotations_total 9"));
  EXPECT_TRUE(has_line(t, "linkcrypt_rekey_interval_seconds 60"));
  EXPECT_TRUE(has_line(t, "linkcrypt_last_rotation_duration_seconds 0.25"));
  EXPECT_TRUE(has_line(t, "linkcrypt_last_rotation_frames_dropped 3"));
  EXPECT_TRUE(has_line(t, "linkcrypt_last_rotation_complete 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_last_rotation_timestamp_seconds{reason=\"interval\"} 1700000000"));
  EXPECT_TRUE(has_line(t, "linkcrypt_ike_last_failure_info{reason=\"PeerDead\",by_peer=\"false\"} 1"));
  EXPECT_TRUE(has_line(t, "linkcrypt_sa_age_seconds{direction=\"tx\",sci=\"020000000a000001\",an=\"1\"} 12.5"));
  EXPECT_NE(t.find("key_id=\"0000000000abcdef\""), std::string::npos);
  // RFC 8784: a PPK-protected IKE SA names its PPK id.
  s.keying->ppk_id = "dc-pair-2026q4";
  EXPECT_TRUE(has_line(render(s), "linkcrypt_ike_ppk_protected{ppk_id=\"dc-pair-2026q4\"} 1"));
}

TEST(MetricFamilies, FrameLatencyQuantilesPerDirection) {
  MetricsSnapshot s = manual_snapshot();
  s.counters.tsc_hz = 2000000000;                  // 2 GHz: 1000 cycles are 500 ns
  s.counters.worker.protect_latency.add(1000, 99);
  s.counters.worker.protect_latency.add(100000, 1);
  s.counters.worker.validate_latency.add(8, 10);   // 8 cycles: its own bucket, 4 ns
  const std::string text = render(s);
  EXPECT_TRUE(has_line(text, "# TYPE linkcrypt_frame_latency_seconds summary")) << text;
  EXPECT_TRUE(has_line(text, "linkcrypt_frame_latency_seconds_count{direction=\"protect\"} 100")) << text;
  // 1000 cycles' bucket is 960..1023: its upper edge, 1023 cycles = 511.5 ns, rounded to 512 ns.
  EXPECT_TRUE(has_line(text, "linkcrypt_frame_latency_seconds{direction=\"protect\",quantile=\"0.5\"} 5.12e-07")) << text;
  EXPECT_TRUE(has_line(text, "linkcrypt_frame_latency_seconds{direction=\"validate\",quantile=\"0.999\"} 4e-09")) << text;
}

TEST(MetricFamilies, NamesAreValidAndCountersEndInTotal) {
  MetricsSnapshot s = manual_snapshot();
  s.keying = KeyingSnapshot{};
  s.keying->last_rotation = RotationSnapshot{};
  s.keying->last_handshake_unix = 1;
  s.keying->last_failure_reason = "AuthenticationFailed";
  std::set<std::string> names;
  for (const auto& f : build_families(s)) {
    EXPECT_TRUE(names.insert(f.name).second) << "family twice: " << f.name;
    EXPECT_TRUE(prometheus::CheckMetricName(f.name)) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_FALSE(f.metric.empty()) << f.name;
    const bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
    EXPECT_EQ(total, f.type == prometheus::MetricType::Counter) << f.name;
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) EXPECT_TRUE(prometheus::CheckLabelName(l.name)) << f.name << " " << l.name;
    }
  }
}

}  // namespace
}  // namespace linkcrypt::metrics
