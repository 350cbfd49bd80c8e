// The daemon's DPDK tooling glue without an EAL: the default --file-prefix, the telemetry board,
// and rendering replies into DPDK telemetry containers.
#include <gtest/gtest.h>
#include <rte_telemetry.h>

#include <atomic>
#include <thread>

#include "eal_args.h"
#include "telemetry_commands.h"
#include "telemetry_snapshot.h"

namespace linkcrypt::daemon {
namespace {

using Args = std::vector<std::string>;

TEST(EalArgs, AddsAPrefixNamedAfterTheControlSocket) {
  EXPECT_EQ(with_file_prefix({"-l", "0,1"}, "/run/linkcrypt/site-a.sock"),
            (Args{"-l", "0,1", "--file-prefix=linkcrypt-site-a"}));
  EXPECT_EQ(with_file_prefix({}, "/run/linkcrypt/linkcryptd.sock"), (Args{"--file-prefix=linkcrypt-linkcryptd"}));
  // Characters that do not belong in a directory name are replaced.
  EXPECT_EQ(with_file_prefix({}, "/tmp/a b:c.sock"), (Args{"--file-prefix=linkcrypt-a_b_c"}));
  EXPECT_EQ(with_file_prefix({}, "/tmp/.sock"), (Args{"--file-prefix=linkcrypt-linkcryptd.sock"}));
}

TEST(EalArgs, KeepsTheOperatorsPrefix) {
  const Args spaced{"--no-huge", "--file-prefix", "mine"};
  EXPECT_EQ(with_file_prefix(spaced, "/run/linkcrypt/x.sock"), spaced);
  const Args joined{"--file-prefix=mine", "-l", "0"};
  EXPECT_EQ(with_file_prefix(joined, "/run/linkcrypt/x.sock"), joined);
}

struct TelData {
  rte_tel_data* d = rte_tel_data_alloc();
  ~TelData() { rte_tel_data_free(d); }
};

const TelemetryField* find(const std::vector<TelemetryField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(TelemetryEncode, SaRowsAsGroupsWithTheControlSocketsNames) {
  api::SaResult r;
  api::SaRow tx;
  tx.direction = "tx";
  tx.an = 1;
  tx.sci = "020000000a000001";
  tx.suite = "gcm-aes-xpn-256";
  tx.next_pn = 9;
  tx.pn_headroom = 18446744073709551607ULL;  // beyond 2^53: exact, not a double
  tx.time_to_exhaustion_s = 1e30;            // a rate below 1 PN/s: saturates
  tx.threshold_reached = true;
  tx.state = "active";
  api::SaRow rx = tx;
  rx.direction = "rx";
  rx.sci = "020000000b000001";
  rx.lowest_pn = 5;
  rx.threshold_reached.reset();
  rx.time_to_exhaustion_s.reset();
  rx.key_id = "00112233445566ff";
  r.sas = {tx, rx};
  const TelemetryReply t = telemetry_sa(r);
  EXPECT_EQ(std::get<uint64_t>(find(t.fields, "count")->value), 2u);
  ASSERT_EQ(t.groups.size(), 2u);
  EXPECT_EQ(t.groups[0].name, "tx_an1");
  EXPECT_EQ(t.groups[1].name, "rx_020000000b000001_an1");
  const auto& g = t.groups[0].fields;
  EXPECT_EQ(std::get<uint64_t>(find(g, "pn_headroom")->value), 18446744073709551607ULL);
  EXPECT_EQ(std::get<uint64_t>(find(g, "time_to_exhaustion_s")->value), UINT64_MAX);
  EXPECT_EQ(std::get<uint64_t>(find(g, "threshold_reached")->value), 1u);
  EXPECT_EQ(std::get<std::string>(find(g, "suite")->value), "gcm-aes-xpn-256");
  EXPECT_EQ(find(g, "key_id"), nullptr);  // null on the control socket: absent
  EXPECT_EQ(find(g, "lowest_pn"), nullptr);
  const auto& h = t.groups[1].fields;
  EXPECT_EQ(std::get<uint64_t>(find(h, "lowest_pn")->value), 5u);
  EXPECT_EQ(std::get<std::string>(find(h, "key_id")->value), "00112233445566ff");
  EXPECT_EQ(find(h, "threshold_reached"), nullptr);
  EXPECT_EQ(find(h, "time_to_exhaustion_s"), nullptr);
  // Every field of the struct's list that has a value is there, in the list's order.
  EXPECT_EQ(h.front().name, "direction");
  TelData out;
  EXPECT_EQ(render_telemetry_reply(t, out.d), 0);
}

TEST(TelemetryEncode, StatusWithPortsAsGroupsAndTheirPortIds) {
  api::StatusResult s;
  s.state = "secured";
  s.transport = "manual";
  s.ike_state = "manual";
  s.tx_an = 0;
  api::PortStatus plain;
  plain.role = "plain";
  plain.device = "net_af_packet0";
  plain.interface = "pa";
  plain.link = "up";
  plain.mtu = 1500;
  plain.carrier = true;
  api::PortStatus wire = plain;
  wire.role = "wire";
  wire.interface.reset();
  s.ports = {plain, wire};
  const TelemetryReply t = telemetry_status(s, 1, 0);
  EXPECT_EQ(std::get<std::string>(find(t.fields, "state")->value), "secured");
  EXPECT_EQ(std::get<uint64_t>(find(t.fields, "must_secure")->value), 1u);
  EXPECT_EQ(std::get<uint64_t>(find(t.fields, "tx_an")->value), 0u);  // 0 is a value, not absent
  EXPECT_EQ(find(t.fields, "role"), nullptr);
  EXPECT_EQ(find(t.fields, "tx_key_id"), nullptr);
  EXPECT_EQ(find(t.fields, "ports"), nullptr);  // the list became groups
  ASSERT_EQ(t.groups.size(), 2u);
  EXPECT_EQ(t.groups[0].name, "plain");
  EXPECT_EQ(std::get<uint64_t>(find(t.groups[0].fields, "port_id")->value), 1u);
  EXPECT_EQ(std::get<uint64_t>(find(t.groups[1].fields, "port_id")->value), 0u);
  EXPECT_EQ(std::get<uint64_t>(find(t.groups[0].fields, "carrier")->value), 1u);
  EXPECT_EQ(std::get<std::string>(find(t.groups[0].fields, "interface")->value), "pa");
  EXPECT_EQ(find(t.groups[1].fields, "interface"), nullptr);
}


TEST(TelemetryRender, ScalarsAndOneLevelOfGroups) {
  TelemetryReply r;
  r.fields.push_back({"state", std::string("secured")});
  r.fields.push_back({"pn_headroom", uint64_t{18446744073709551608ULL}});
  r.groups.push_back({"rx_020000000b000001_an0", {{"next_pn", uint64_t{7}}, {"sci", std::string("020000000b000001")}}});
  TelData out;
  ASSERT_NE(out.d, nullptr);
  EXPECT_EQ(render_telemetry_reply(r, out.d), 0);
}

TEST(TelemetryRender, TooManyEntriesIsAnError) {
  TelemetryReply r;
  for (int i = 0; i < RTE_TEL_MAX_DICT_ENTRIES + 1; ++i) {
    std::string name = "f";  // (not "f" + to_string: GCC 12's -Wrestrict false positive)
    name += std::to_string(i);
    r.fields.push_back({name, uint64_t(i)});
  }
  TelData out;
  EXPECT_LT(render_telemetry_reply(r, out.d), 0);
}

TEST(TelemetryBoard, EmptyUntilPublishedThenTheLatest) {
  TelemetryBoard board;
  EXPECT_EQ(board.latest(), nullptr);
  TelemetrySnapshot s;
  s.status.fields.push_back({"rotations", uint64_t{1}});
  board.publish(s);
  s.status.fields[0].value = uint64_t{2};
  board.publish(s);
  ASSERT_NE(board.latest(), nullptr);
  EXPECT_EQ(std::get<uint64_t>(board.latest()->status.fields[0].value), 2u);
}

TEST(TelemetryBoard, AReaderKeepsItsSnapshotWhileTheWriterReplacesIt) {
  // The telemetry thread renders from its reference after the event loop has moved on.
  TelemetryBoard board;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t i = 0; !stop; ++i) {
      TelemetrySnapshot s;
      s.sa.fields.push_back({"count", i});
      s.sa.fields.push_back({"copy", i});
      board.publish(std::move(s));
    }
  });
  for (int i = 0; i < 20000; ++i) {
    const auto snap = board.latest();
    if (!snap) continue;
    ASSERT_EQ(snap->sa.fields.size(), 2u);
    ASSERT_EQ(std::get<uint64_t>(snap->sa.fields[0].value), std::get<uint64_t>(snap->sa.fields[1].value));
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace linkcrypt::daemon
