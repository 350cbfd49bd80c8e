// The daemon's DPDK tooling glue without an EAL: the default --file-prefix, the telemetry board,
// and rendering replies into DPDK telemetry containers.
#include <gtest/gtest.h>
#include <rte_telemetry.h>

#include <atomic>
#include <thread>

#include "eal_args.h"
#include "telemetry_commands.h"

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
