// The contract structs <-> JSON: round trips (struct -> JSON -> struct), the exact names and
// shapes the daemon has always sent, and decode errors that name the field.
#include "api/commands.h"
#include "api/peer.h"
#include "api/protocol.h"
#include "api/rotations.h"
#include "api/sa.h"
#include "api/stats.h"
#include "api/status.h"

#include <gtest/gtest.h>

namespace linkcrypt::api {
namespace {

// Encodes, writes one line, parses it back (as the client does) and decodes.
template <class T>
T round_trip(const T& in) {
  const std::string line = write_compact(to_json_value(in));
  auto parsed = parse_bounded(line, ParseLimits{.max_len = kMaxResponseLen, .max_depth = kMaxResponseDepth});
  EXPECT_TRUE(parsed.value) << line;
  T out{};
  DecodeError err;
  EXPECT_TRUE(from_json_value(parsed.value.value_or(Json()), out, err)) << err.text() << " in " << line;
  // Re-encoding what came back gives the same text: nothing was lost or added.
  EXPECT_EQ(write_compact(to_json_value(out)), line);
  return out;
}

SaRow tx_row() {
  SaRow s;
  s.direction = "tx";
  s.an = 1;
  s.sci = "020000000a000001";
  s.suite = "gcm-aes-xpn-256";
  s.key_id = "1122334455667788";
  s.next_pn = 1000;
  s.pn_headroom = UINT64_MAX - 998;
  s.pn_headroom_str = "18446744073709550617";
  s.pn_used_percent = 0.0;
  s.time_to_exhaustion_s = 1.5e14;
  s.age_s = 12;
  s.packets = 999;
  s.octets = 123456;
  s.errors = 0;
  s.rate_pps = 20.5;
  s.rate_bps = 16400;
  s.state = "active";
  s.threshold_reached = false;
  return s;
}

SaRow rx_row() {
  SaRow s;
  s.direction = "rx";
  s.an = 0;
  s.sci = "020000000b000001";
  s.suite = "gcm-aes-128";
  s.next_pn = 70;
  s.lowest_pn = 6;
  s.pn_headroom = 0xFFFFFFFFull - 68;
  s.pn_headroom_str = "4294967227";
  s.pn_used_percent = 1.5;
  s.packets = 69;
  s.octets = 4140;
  s.errors = 2;
  s.state = "retiring";
  return s;
}

TEST(ApiMapping, SaRowsKeepTheirNamesAndShape) {
  // A transmit row has no lowest_pn key and a receive row no threshold_reached key; key_id,
  // age_s, time_to_exhaustion_s and the rates are null when unknown (manual keys, no rate yet).
  EXPECT_EQ(write_compact(to_json_value(tx_row())),
            R"({"age_s":12,"an":1,"direction":"tx","errors":0,"key_id":"1122334455667788","next_pn":1000,)"
            R"("octets":123456,"packets":999,"pn_headroom":18446744073709550617,"pn_headroom_str":"18446744073709550617",)"
            R"("pn_used_percent":0.0,"rate_bps":16400.0,"rate_pps":20.5,"sci":"020000000a000001",)"
            R"("state":"active","suite":"gcm-aes-xpn-256","threshold_reached":false,"time_to_exhaustion_s":150000000000000.0})");
  EXPECT_EQ(write_compact(to_json_value(rx_row())),
            R"({"age_s":null,"an":0,"direction":"rx","errors":2,"key_id":null,"lowest_pn":6,"next_pn":70,)"
            R"("octets":4140,"packets":69,"pn_headroom":4294967227,"pn_headroom_str":"4294967227","pn_used_percent":1.5,)"
            R"("rate_bps":null,"rate_pps":null,)"
            R"("sci":"020000000b000001","state":"retiring",)"
            R"("suite":"gcm-aes-128","time_to_exhaustion_s":null})");
}

TEST(ApiMapping, SaResultRoundTrip) {
  SaResult in;
  in.sas = {tx_row(), rx_row()};
  SaResult out = round_trip(in);
  ASSERT_EQ(out.sas.size(), 2u);
  EXPECT_EQ(out.sas[0].pn_headroom, UINT64_MAX - 998);
  EXPECT_EQ(out.sas[0].threshold_reached, false);
  EXPECT_FALSE(out.sas[0].lowest_pn);
  EXPECT_EQ(out.sas[1].lowest_pn, 6u);
  EXPECT_FALSE(out.sas[1].key_id);
  EXPECT_FALSE(out.sas[1].threshold_reached);
  EXPECT_DOUBLE_EQ(*out.sas[0].time_to_exhaustion_s, 1.5e14);
}

TEST(ApiMapping, StatusRoundTripIkeAndManual) {
  StatusResult ike;
  ike.state = "secured";
  ike.uptime_s = 5;
  ike.suite = "gcm-aes-xpn-128";
  ike.transport = "udp";
  ike.tx_an = 3;
  ike.tx_key_id = "00000000000000ff";
  ike.rotations = 2;
  ike.peer_id = "box-b";
  ike.ike_state = "established";
  ike.role = "responder";
  ike.ports = {{"plain", "net_tap0", "lp", "up", 1500, "UP", true, true, "netlink", 4, std::nullopt},
               {"wire", "0000:01:00.0", std::nullopt, "up", 9000, "UP", true, true, "ethdev", std::nullopt, 25000}};
  StatusResult out = round_trip(ike);
  EXPECT_EQ(out.tx_an, 3);
  EXPECT_EQ(out.role, "responder");
  ASSERT_EQ(out.ports.size(), 2u);
  EXPECT_EQ(out.ports[1].speed_mbps, 25000u);
  EXPECT_FALSE(out.ports[1].interface);

  StatusResult manual;
  manual.state = "down";
  manual.transport = "manual";
  manual.ike_state = "manual";
  const Json j = to_json_value(manual);
  EXPECT_FALSE(j.contains("role"));  // manual keys: no IKE role
  EXPECT_TRUE(j.at("suite").is_null());
  EXPECT_TRUE(j.at("peer_id").is_null());
  EXPECT_TRUE(j.at("tx_an").is_null());
  EXPECT_FALSE(round_trip(manual).role);
}

TEST(ApiMapping, StatsRoundTripWithOptionalGroups) {
  StatsResult in;
  in.secy = {{"InPktsNoTag", 4}, {"OutPktsUntagged", 0}};
  in.tx_sc = {{"OutPktsProtected", 10}};
  in.rx_sc = {{"020000000b000001", {{"InPktsOK", 9}, {"InPktsLate", 1}}}};
  in.dataplane = {{"DropsTotal", 5}, {"TxNoSa", 5}};
  in.ports.plain = {{"imissed", 1}};
  in.ports.wire = {{"imissed", 2}};
  const Json bare = to_json_value(in);
  EXPECT_FALSE(bare.contains("ike"));
  EXPECT_FALSE(bare.contains("control"));
  // The SCI sits beside the SC's counters.
  EXPECT_EQ(write_compact(bare.at("rx_sc")), R"([{"InPktsLate":1,"InPktsOK":9,"sci":"020000000b000001"}])");
  round_trip(in);

  IkeStats ike;
  ike.session = {1, 2, 3, 4, 5, 6, 7, 8};
  ike.keying = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ike.transport = {{"tx_frames", 11}};
  in.ike = ike;
  in.control = ControlCounters{1, 2, 3, 4, 5, 6, 7};
  const Json full = to_json_value(in);
  EXPECT_FALSE(full.at("ike").contains("responder"));
  EXPECT_EQ(full.at("ike").at("session").at("tx_retransmits"), 7u);
  EXPECT_EQ(full.at("ike").at("session").at("rx_untrusted_notify"), 8u);
  EXPECT_EQ(full.at("ike").at("keying").at("untrusted_notifies"), 10u);
  EXPECT_EQ(full.at("control").at("permission_denied"), 7u);
  in.ike->responder = IkeResponderCounters{1, 2, 3, 4, 5, 6};
  StatsResult out = round_trip(in);
  ASSERT_TRUE(out.ike && out.ike->responder);
  EXPECT_EQ(out.ike->responder->rejected, 6u);
  EXPECT_EQ(out.rx_sc.at(0).counters.at("InPktsOK"), 9u);
}

TEST(ApiMapping, PeerRotationsHelpRekeyRoundTrip) {
  PeerResult peer;
  peer.ike_state = "established";
  peer.peer_id = "box-b";
  peer.algorithms = "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519";
  peer.last_handshake_s_ago = 3;
  peer.ike_rekeys = 1;
  peer.child_rekeys = 4;
  peer.last_failure = PeerFailure{"AuthenticationFailed", "AUTH payload did not verify", true, 60, "check the PSK",
                                  1796480505, true};
  EXPECT_EQ(round_trip(peer).last_failure->hint, "check the PSK");
  EXPECT_FALSE(round_trip(peer).ppk_protected);
  EXPECT_TRUE(to_json_value(peer).at("ppk_id").is_null());
  peer.ppk_protected = true;
  peer.ppk_id = "dc-pair-2026q4";
  EXPECT_EQ(round_trip(peer).ppk_id, "dc-pair-2026q4");
  // A failure the link recovered from: history with its time, no hint.
  peer.last_failure->current = false;
  peer.last_failure->hint.reset();
  EXPECT_EQ(write_compact(to_json_value(*peer.last_failure)),
            R"({"by_peer":true,"current":false,"detail":"AUTH payload did not verify","hint":null,)"
            R"("reason":"AuthenticationFailed","s_ago":60,"when":1796480505})");
  EXPECT_EQ(round_trip(peer).last_failure->when, 1796480505);
  peer.last_failure.reset();
  EXPECT_TRUE(to_json_value(peer).at("last_failure").is_null());
  round_trip(peer);

  RotationsResult rot;
  rot.rotations = {{1796480505, "operator", 12, 0, "00000000000000aa", "00000000000000bb", true},
                   {-1, "pn_threshold", 0, 3, "00000000000000bb", "00000000000000cc", false}};
  RotationsResult rot_back = round_trip(rot);
  EXPECT_EQ(rot_back.rotations[1].when, -1);

  const HelpResult help = round_trip(help_result());
  ASSERT_EQ(help.commands.size(), commands().size());
  EXPECT_EQ(help.commands.back().command, "rekey");
  EXPECT_FALSE(help.commands.back().read_only);
  EXPECT_EQ(state_changing_commands(), std::set<std::string>{"rekey"});

  EXPECT_EQ(write_compact(to_json_value(RekeyResult{true})), R"({"started":true})");
}

TEST(ApiMapping, RotationsArgs) {
  RotationsArgs a;
  DecodeError err;
  ASSERT_TRUE(from_json_value(Json::object(), a, err));
  EXPECT_FALSE(a.last);
  ASSERT_TRUE(from_json_value(Json{{"last", 5}}, a, err));
  EXPECT_EQ(a.last, 5u);
  EXPECT_FALSE(from_json_value(Json{{"last", -1}}, a, err));
  EXPECT_EQ(err.text(), "last: expected a non-negative integer");
  EXPECT_FALSE(from_json_value(Json{{"last", "5"}}, a, err));
}

TEST(ApiMapping, DecodeErrorsNameTheField) {
  Json j = to_json_value(SaResult{{tx_row(), rx_row()}});
  j["sas"][1]["an"] = 300;  // not an AN
  SaResult out;
  DecodeError err;
  EXPECT_FALSE(from_json_value(j, out, err));
  EXPECT_EQ(err.text(), "sas[1].an: out of range");
  j = to_json_value(SaResult{{tx_row()}});
  j["sas"][0].erase("next_pn");
  EXPECT_FALSE(from_json_value(j, out, err));
  EXPECT_EQ(err.text(), "sas[0].next_pn: missing");
  j = to_json_value(StatusResult{});
  j["ports"] = Json::object();
  StatusResult st;
  EXPECT_FALSE(from_json_value(j, st, err));
  EXPECT_EQ(err.text(), "ports: expected a list");
}

TEST(ApiMapping, ColumnOrderIsTheFieldOrder) {
  const std::vector<std::string_view> sa = {"direction", "an", "sci", "suite", "key_id", "next_pn", "lowest_pn",
                                            "pn_headroom", "time_to_exhaustion_s", "age_s", "packets", "octets",
                                            "errors", "rate_pps", "rate_bps", "state", "threshold_reached",
                                            "pn_headroom_str", "pn_used_percent"};
  EXPECT_EQ(field_names<SaRow>(), sa);
  const std::vector<std::string_view> rot = {"when", "reason", "duration_ms", "frames_dropped",
                                             "old_key_id", "new_key_id", "complete"};
  EXPECT_EQ(field_names<RotationRecord>(), rot);
}

}  // namespace
}  // namespace linkcrypt::api
