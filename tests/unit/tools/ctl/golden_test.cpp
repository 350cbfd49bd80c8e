// linkcryptctl's output for every command, human (narrow and -w) and JSON, rendered from fixed
// api structs at a fixed "now" and compared with the expected text under golden/. Every line of
// the narrow output must fit 100 columns. UPDATE_GOLDEN=1 rewrites the files (review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "api/protocol.h"
#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

constexpr int64_t kNow = 1796480505;  // 2026-12-05T14:21:45Z
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
std::string g_golden_dir;             // argv[1]

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = g_golden_dir + "/" + name;
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, read_file(path)) << "golden file " << path << " (UPDATE_GOLDEN=1 rewrites it)";
}

// Every line fits 100 columns, except status' first: one line however long (its why).
void check_width(const std::string& name, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && name.starts_with("status")) continue;
    EXPECT_LE(display_width(line), kMaxWidth) << name << " line " << n << ": " << line;
  }
}

// One command's three outputs: name.txt (narrow), name.wide.txt (-w), name.json (the daemon's
// response line, which --json prints); the JSON decodes back into the same struct.
template <class Result, class Render>
void golden(const std::string& name, const Result& r, Render render, RenderOptions o = {}) {
  o.now_unix = kNow;
  o.wide = false;
  const std::string narrow = render(r, o);
  check_width(name, narrow);
  check_golden(name + ".txt", narrow);
  o.wide = true;
  check_golden(name + ".wide.txt", render(r, o));
  const api::Json j = api::to_json_value(r);
  check_golden(name + ".json", api::build_ok(j));
  Result back{};
  api::DecodeError err;
  ASSERT_TRUE(api::from_json_value(j, back, err)) << err.text();
  EXPECT_EQ(api::to_json_value(back), j);
  // What linkcryptctl does with a daemon's result: decode it into the struct, then render.
  o.wide = false;
  const auto via_json = render_result(name.substr(0, name.find('_')), j, o);
  ASSERT_TRUE(via_json.text) << via_json.error;
  EXPECT_EQ(*via_json.text, narrow);
}

api::PortStatus plain_port() {
  return {"plain", "net_af_packet0,iface=pa", "pa", "up", 1500, "UP", true, true, "netlink", 3, std::nullopt};
}
api::PortStatus wire_port(bool up) {
  return {"wire", "0000:3b:00.1", std::nullopt, up ? "up" : "down", 1532, up ? "UP" : "DOWN", up, true,
          "ethdev", std::nullopt, 10000};
}

api::StatusResult ike_status() {
  api::StatusResult s;
  s.state = "secured";
  s.uptime_s = 4523;
  s.suite = "gcm-aes-xpn-256";
  s.transport = "inband";
  s.tx_an = 1;
  s.tx_key_id = "1a37a726eae6a101";
  s.rotations = 3;
  s.peer_id = "box-b.demo.example";
  s.ike_state = "established";
  s.role = "initiator";
  s.ports = {plain_port(), wire_port(true)};
  return s;
}

TEST(Golden, Status) {
  golden("status_secured", ike_status(), render_status);
  api::StatusResult keylog = ike_status();
  keylog.keylog = true;
  golden("status_keylog", keylog, render_status);
  // RFC 8784: the IKE SA's keys include a post-quantum preshared key.
  api::StatusResult ppk = ike_status();
  ppk.ppk_protected = true;
  ppk.ppk_id = "dc-pair-2026q4";
  golden("status_ppk", ppk, render_status);

  api::StatusResult failed = ike_status();
  failed.state = "failed";
  failed.tx_an.reset();
  failed.tx_key_id.reset();
  failed.ike_state = "failed";
  failed.failure = "AuthenticationFailed";
  failed.failure_hint =
      "check that both sides use the same PSK file (or the right peer public key / CA), and that "
      "local-id/peer-id match the other side";
  failed.failure_s_ago = 12;
  golden("status_failed", failed, render_status);
  // The first line alone says it, with the hint's own words.
  const std::string text = render_status(failed, {kNow, false, false});
  EXPECT_EQ(text.substr(0, text.find('\n')), "link NOT secured: AuthenticationFailed 12 s ago: " + *failed.failure_hint);

  api::StatusResult keying = ike_status();
  keying.state = "keying";
  keying.tx_an.reset();
  keying.tx_key_id.reset();
  keying.ike_state = "connecting";
  golden("status_keying", keying, render_status);

  api::StatusResult wire_down = keying;
  wire_down.ports = {plain_port(), wire_port(false)};
  wire_down.failure = "PeerDead";
  wire_down.failure_hint =
      "the peer stopped answering liveness checks: check the link and the peer daemon; re-establishing with back-off";
  wire_down.failure_s_ago = 310;
  golden("status_wiredown", wire_down, render_status);

  // A long DPDK device argument: the DEVICE column is cut ("…") so the table still fits.
  api::StatusResult long_device = ike_status();
  long_device.ports[0].device =
      "net_af_packet0,iface=plain-side-interface-name,qpairs=4,blocksz=4096,framesz=2048,framecnt=512";
  golden("status_longdevice", long_device, render_status);

  api::StatusResult manual;
  manual.state = "secured";
  manual.uptime_s = 90061;
  manual.suite = "gcm-aes-128";
  manual.transport = "manual";
  manual.tx_an = 0;
  manual.ike_state = "manual";
  manual.ports = {plain_port(), wire_port(true)};
  golden("status_manual", manual, render_status);

  api::StatusResult manual_down = manual;
  manual_down.state = "down";
  manual_down.suite.reset();
  manual_down.tx_an.reset();
  golden("status_manualdown", manual_down, render_status);
}

api::SaRow sa_row(std::string dir, uint8_t an, std::string sci, std::string state) {
  api::SaRow r;
  r.direction = std::move(dir);
  r.an = an;
  r.sci = std::move(sci);
  r.suite = "gcm-aes-xpn-256";
  r.state = std::move(state);
  return r;
}

TEST(Golden, Sa) {
  api::SaResult ike;
  api::SaRow tx = sa_row("tx", 1, "9a7f800a000a0001", "active");
  tx.key_id = "1a37a726eae6a101";
  tx.next_pn = 275759;
  tx.pn_headroom = kU64Max - 275758;
  tx.time_to_exhaustion_s = 2.68e14;
  tx.age_s = 754;
  tx.packets = 275758;
  tx.octets = 414140318;
  tx.rate_pps = 68939.5;
  tx.rate_bps = 828312000.0;
  tx.threshold_reached = false;
  api::SaRow standby = sa_row("tx", 0, "9a7f800a000a0001", "standby");
  standby.key_id = "e6da9ae6da559904";
  standby.next_pn = 1;
  standby.pn_headroom = kU64Max;
  standby.age_s = 4;
  standby.rate_pps = 0;
  standby.rate_bps = 0;
  standby.threshold_reached = false;
  api::SaRow rx = sa_row("rx", 1, "5286126249640001", "active");
  rx.key_id = "1a37a726eae6a101";
  rx.next_pn = 37619;
  rx.lowest_pn = 37619;
  rx.pn_headroom = kU64Max - 37618;
  rx.time_to_exhaustion_s = 1.96e15;
  rx.age_s = 754;
  rx.packets = 37618;
  rx.octets = 2205921;
  rx.rate_pps = 9404.2;
  rx.rate_bps = 4411843.0;
  api::SaRow retiring = sa_row("rx", 0, "5286126249640001", "retiring");
  retiring.key_id = "e6da9ae6da559904";
  retiring.next_pn = 1200001;
  retiring.lowest_pn = 1199937;
  retiring.pn_headroom = kU64Max - 1200000;
  retiring.age_s = 3754;
  retiring.packets = 1200000;
  retiring.octets = 1717986918;
  retiring.errors = 3;
  retiring.rate_pps = 0;
  retiring.rate_bps = 0;
  ike.sas = {tx, standby, rx, retiring};
  golden("sa_ike", ike, render_sa);

  // Manual keys, a 32-bit PN space nearly used: past the threshold, 3.1 h left.
  api::SaResult manual;
  api::SaRow mtx = sa_row("tx", 0, "020000000a000001", "active");
  mtx.suite = "gcm-aes-128";
  mtx.next_pn = 3865470567;
  mtx.pn_headroom = 4294967295ull - 3865470566ull;
  mtx.time_to_exhaustion_s = 11232.0;
  mtx.packets = 3865470566;
  mtx.octets = 5798205849000;
  mtx.rate_pps = 38239.0;
  mtx.rate_bps = 458868000.0;
  mtx.threshold_reached = true;
  api::SaRow mrx = sa_row("rx", 0, "020000000b000001", "active");
  mrx.suite = "gcm-aes-128";
  mrx.next_pn = 1;
  mrx.lowest_pn = 1;
  mrx.pn_headroom = 4294967295ull;
  manual.sas = {mtx, mrx};
  golden("sa_manual", manual, render_sa);

  // The widest values each column can hold: still 100 columns.
  api::SaResult extremes;
  api::SaRow big = sa_row("rx", 3, "ffffffffffffffff", "retiring");
  big.key_id = "ffffffffffffffff";
  big.next_pn = kU64Max;
  big.lowest_pn = kU64Max;
  big.pn_headroom = 1;
  big.time_to_exhaustion_s = 1e300;
  big.age_s = kU64Max;
  big.packets = kU64Max;
  big.octets = kU64Max;
  big.errors = kU64Max;
  big.rate_pps = 1e21;
  big.rate_bps = 1e24;
  api::SaRow exhausted = big;
  exhausted.an = 2;
  exhausted.pn_headroom = 0;
  exhausted.time_to_exhaustion_s = 0.4;
  exhausted.rate_pps = 999.99;
  exhausted.rate_bps = 1023.9;
  extremes.sas = {big, exhausted};
  golden("sa_extremes", extremes, render_sa);

  golden("sa_none", api::SaResult{}, render_sa);
}

api::CounterMap names(std::initializer_list<std::pair<const char*, uint64_t>> list) {
  api::CounterMap m;
  for (const auto& [n, v] : list) m[n] = v;
  return m;
}

// The names the daemon sends (secy::visit_counters, dpdk::visit_counters), with plausible values.
api::StatsResult stats_result(bool ike) {
  api::StatsResult s;
  s.secy = names({{"InPktsUntagged", 0}, {"InPktsNoTag", 2}, {"InPktsBadTag", 0}, {"InPktsUnknownSCI", 0},
                  {"InPktsNoSCI", 1}, {"InPktsOverrun", 0}, {"InOctetsValidated", 0},
                  {"InOctetsDecrypted", 2205921}, {"OutPktsUntagged", 0}, {"OutPktsTooLong", 4},
                  {"OutOctetsProtected", 0}, {"OutOctetsEncrypted", 414140318}, {"TxNoSa", 17},
                  {"TxPnExhausted", 0}, {"TxTooShort", 0}});
  s.tx_sc = names({{"OutPktsProtected", 0}, {"OutPktsEncrypted", 275758}, {"OutOctetsProtected", 0},
                   {"OutOctetsEncrypted", 414140318}, {"TxPnExhausted", 0}});
  s.rx_sc = {{"5286126249640001",
              names({{"InPktsOK", 37618}, {"InPktsInvalid", 0}, {"InPktsNotValid", 3}, {"InPktsLate", 1},
                     {"InPktsDelayed", 0}, {"InPktsUnchecked", 0}, {"InOctetsValidated", 0},
                     {"InOctetsDecrypted", 2205921}, {"InPktsNotUsingSA", 0}, {"InPktsUnusedSA", 0}, {"InPktsDuplicate", 0}})}};
  s.dataplane = names({{"PlainRx", 275779}, {"PlainTx", 37618}, {"WireRx", 37650}, {"WireTx", 275790},
                       {"PlainTxQueueFull", 0}, {"WireTxQueueFull", 0}, {"NoRoomForSecTag", 0},
                       {"MultiSegment", 0}, {"WireDownDrops", 0}, {"KxPunted", 32}, {"KxPuntedPriority", 30},
                       {"KxPuntRingFull", 0}, {"KxPriorityRingFull", 0}, {"KxJunk", 0}, {"KxRateLimited", 0},
                       {"KxSent", 32}, {"KxSendQueueFull", 0}, {"PnThresholdEvents", 0},
                       {"ProtectCycles", 1930306000}, {"ProtectFrames", 275758}, {"ValidateCycles", 263326000},
                       {"ValidateFrames", 37618}, {"ProtectMinBurstCycles", 9120}, {"ValidateMinBurstCycles", 9760},
                       {"ProtectLatencyP50Ns", 2300}, {"ProtectLatencyP99Ns", 8700}, {"ProtectLatencyP999Ns", 41000},
                       {"ValidateLatencyP50Ns", 2500}, {"ValidateLatencyP99Ns", 9200}, {"ValidateLatencyP999Ns", 45000},
                       {"BusyLoops", 51234}, {"IdleLoops", 98765432}, {"PlainLinkDown", 0}, {"PlainLinkUp", 0},
                       {"WireLinkDown", 1}, {"WireLinkUp", 1}, {"NetlinkRefused", 0}, {"NetlinkOverflows", 0},
                       {"DropsTotal", 27}});
  s.ports.plain = names({{"RxMissed", 0}, {"RxErrors", 0}, {"RxNoMbuf", 0}, {"TxErrors", 0},
                         {"RxPackets", 275779}, {"TxPackets", 37618}, {"KxRxMissed", 0},
                         {"KxPriorityRxMissed", 0}, {"KxNoMbuf", 0}});
  s.ports.wire = names({{"RxMissed", 3}, {"RxErrors", 0}, {"RxNoMbuf", 0}, {"TxErrors", 0},
                        {"RxPackets", 37682}, {"TxPackets", 275822}, {"KxRxMissed", 12},
                        {"KxPriorityRxMissed", 0}, {"KxNoMbuf", 0}});
  if (ike) {
    api::IkeStats i;
    i.session = {.rx_messages = 16, .rx_malformed = 0, .rx_decrypt_failed = 0, .rx_unexpected = 0, .rx_invalid = 0,
                 .rx_retransmits = 0, .tx_retransmits = 1, .rx_untrusted_notify = 0};
    i.keying = {.rx_messages = 16, .rx_unparsable = 0, .rx_unrouted = 0, .candidates_dropped = 0, .connects = 1,
                .established = 1, .links_lost = 0, .rotations_abandoned = 0, .tx_switch_timeouts = 0,
                .untrusted_notifies = 0};
    i.transport = names({{"rx_frames", 32}, {"rx_too_short", 0}, {"rx_bad_length", 0}, {"tx_frames", 32}});
    s.ike = i;
  }
  s.control = api::ControlCounters{12, 40, 1, 0, 0, 2, 0};
  return s;
}

TEST(Golden, Stats) {
  golden("stats_ike", stats_result(true), render_stats);
  RenderOptions all;
  all.all = true;
  golden("stats_all", stats_result(true), render_stats, all);
  // A counter this CLI does not know (a newer daemon's) still prints, under "other".
  api::StatsResult manual = stats_result(false);
  manual.dataplane["FutureDrops"] = 5;
  golden("stats_manual", manual, render_stats);
}

TEST(Golden, Peer) {
  api::PeerResult p;
  p.ike_state = "established";
  p.peer_id = "box-b.demo.example";
  p.algorithms = "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519";
  p.last_handshake_s_ago = 12;
  p.ike_rekeys = 2;
  p.child_rekeys = 17;
  golden("peer_established", p, render_peer);
  api::PeerResult with_ppk = p;
  with_ppk.ppk_protected = true;
  with_ppk.ppk_id = "dc-pair-2026q4";
  golden("peer_ppk", with_ppk, render_peer);
  // The first handshake's failure, after the link came up: history, without a hint.
  p.last_failure = api::PeerFailure{"PeerUnreachable", "no answer from the peer after 4 tries", false, 754,
                                    std::nullopt, kNow - 754, false};
  golden("peer_recovered", p, render_peer);

  api::PeerResult f;
  f.ike_state = "connecting";
  f.peer_id = "box-b.demo.example";
  f.last_failure = api::PeerFailure{
      "AuthenticationFailed", "AUTH payload of the peer did not verify (PSK)", true, 125,
      "check that both sides use the same PSK file (or the right peer public key / CA), and that "
      "local-id/peer-id match the other side", kNow - 125, true};
  golden("peer_failed", f, render_peer);
}

TEST(Golden, Mka) {
  api::MkaResult m;
  m.ckn = "0123456789abcdef0123456789abcdef";
  m.mi = "5d9701df74e3a2e93ca09cc8";
  m.mn = 118;
  m.sci = "524922b784510001";
  m.priority = 1;
  m.key_server = true;
  m.suite = "gcm-aes-128";
  m.peers = {{"2023d6ca952d205bce2f0522", 117, "a25d1ad5d5e00001", 2, true, false}};
  m.sak = api::MkaSak{"5d9701df74e3a2e93ca09cc8", 16, 3, "gcm-aes-128", true, true};
  m.tx_an = 3;
  m.rotations = 16;
  m.counters = {{"MkpdusSent", 118}, {"MkpdusReceived", 117}, {"MkpdusValid", 117}, {"BadIcv", 0}};
  golden("mka_key_server", m, render_mka);
  // A wrong CAK: the peer is never live, nothing is transmitted, the typed failure and its hint.
  api::MkaResult f;
  f.ckn = m.ckn;
  f.mi = "2023d6ca952d205bce2f0522";
  f.mn = 9;
  f.sci = "a25d1ad5d5e00001";
  f.priority = 16;
  f.suite = "gcm-aes-256";
  f.failure = "CakMismatch";
  f.failure_detail = "MKPDU ICV mismatch for CKN 0123456789abcdef0123456789abcdef";
  f.failure_hint = "the peer uses the same CKN with another CAK: compare mka-cak-file with the peer's CAK for this CKN";
  f.counters = {{"MkpdusSent", 9}, {"BadIcv", 8}};
  golden("mka_cak_mismatch", f, render_mka);
  // A keychain: the primary CAKs differ, the fallback CA is secured; both CAs are shown by CKN.
  api::MkaResult fb = api::MkaResult{};
  fb.ckn = "fb";
  fb.role = "fallback";
  fb.cas = {{"0123456789abcdef0123456789abcdef", "primary", false, 0, false}, {"fb", "fallback", true, 1, true}};
  fb.mi = m.mi;
  fb.mn = 12;
  fb.sci = m.sci;
  fb.priority = 1;
  fb.key_server = true;
  fb.suite = "gcm-aes-xpn-128";
  fb.peers = m.peers;
  fb.sak = api::MkaSak{m.mi, 1, 1, "gcm-aes-xpn-128", true, true};
  fb.tx_an = 1;
  fb.rotations = 1;
  fb.counters = {{"MkpdusSent", 12}, {"FallbackActivations", 1}, {"CakRollovers", 0}};
  golden("mka_fallback", fb, render_mka);
}

TEST(Golden, Keys) {
  api::KeysResult k;
  api::KeyRow psk;
  psk.key = "pkcs11:token=linkcrypt-site-a;object=ike-psk-with-a-rather-long-object-label-for-the-auditors";
  psk.kind = "psk";
  psk.fingerprint = "cka-id:0102030405060708090a0b0c0d0e0f10";
  psk.uses = 1234;
  psk.failures = 2;
  psk.last_use = kNow - 12;
  psk.last_result = "ok";
  api::KeyRow ed;
  ed.key = "private-key-file /etc/linkcrypt/site-a.key";
  ed.kind = "ed25519";
  ed.fingerprint = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  k.keys = {psk, ed};
  golden("keys_token_and_file", k, render_keys);
  golden("keys_none", api::KeysResult{}, render_keys);
}

TEST(Golden, Rotations) {
  api::RotationsResult r;
  r.rotations = {{kNow - 7200, "interval", 12, 0, "e6da9ae6da559904", "c76d2627a3d93a38", true},
                 {kNow - 3600, "pn-threshold", 1520, 0, "c76d2627a3d93a38", "0f5749cf116331a3", true},
                 {kNow - 12, "operator", 10, 2, "0f5749cf116331a3", "1a37a726eae6a101", false}};
  golden("rotations_log", r, render_rotations);
  golden("rotations_none", api::RotationsResult{}, render_rotations);
}

TEST(Golden, HelpAndRekey) {
  golden("help_commands", api::help_result(), render_help);
  golden("rekey_started", api::RekeyResult{true}, render_rekey);
}

TEST(Golden, UnknownCommandsPrintGenerically) {
  RenderOptions o;
  o.now_unix = kNow;
  const auto r = render_result("frobnicate", api::Json{{"answer", 42}}, o);
  ASSERT_TRUE(r.text);
  EXPECT_EQ(*r.text, "answer: 42\n");
  const auto bad = render_result("peer", api::Json{{"ike_state", 5}}, o);
  EXPECT_FALSE(bad.text);
  EXPECT_EQ(bad.error, "linkcryptd's result does not match the API (ike_state: expected a string)");
}

}  // namespace
}  // namespace linkcrypt::ctl

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
    return 2;
  }
  linkcrypt::ctl::g_golden_dir = argv[1];
  return RUN_ALL_TESTS();
}
