// Counter blocks: += sums every field, visit_counters reports the 802.1AE names, sums per lcore.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

template <typename Block>
std::map<std::string, uint64_t> named(const Block& b) {
  std::map<std::string, uint64_t> out;
  visit_counters(b, [&](std::string_view name, uint64_t v) { out[std::string(name)] = v; });
  return out;
}

// Sets every visited counter of a block to a distinct value by walking its 64-bit fields.
template <typename Block>
void fill(Block& b, uint64_t base) {
  auto* words = reinterpret_cast<uint64_t*>(&b);
  for (size_t i = 0; i < sizeof(Block) / sizeof(uint64_t); ++i) words[i] = base + i;
}

TEST(Counters, SecyNamesAndSum) {
  SecyCounters a, b;
  fill(a, 100);
  fill(b, 1000);
  SecyCounters sum = a;
  sum += b;
  const auto na = named(a), nb = named(b), ns = named(sum);
  for (const char* name : {"InPktsUntagged", "InPktsNoTag", "InPktsBadTag", "InPktsUnknownSCI",
                           "InPktsNoSCI", "InPktsOverrun", "InOctetsValidated",
                           "InOctetsDecrypted", "OutPktsUntagged", "OutPktsTooLong",
                           "OutOctetsProtected", "OutOctetsEncrypted", "TxNoSa",
                           "TxPnExhausted", "TxPnUnreserved", "TxTooShort", "TxClearTagMissing"}) {
    ASSERT_TRUE(ns.count(name)) << name;
    EXPECT_EQ(ns.at(name), na.at(name) + nb.at(name)) << name;
  }
  EXPECT_EQ(ns.size(), 17u);
  for (size_t r = 0; r < static_cast<size_t>(BadTagReason::kCount); ++r) {
    EXPECT_EQ(sum.in_bad_tag_by_reason[r], a.in_bad_tag_by_reason[r] + b.in_bad_tag_by_reason[r]);
  }
}

TEST(Counters, ScAndSaNamesAndSum) {
  RxSaCounters a, b;
  fill(a, 1);
  fill(b, 50);
  RxSaCounters s = a;
  s += b;
  const auto ns = named(s);
  EXPECT_EQ(ns.size(), 9u);
  for (const char* name : {"InPktsOK", "InPktsInvalid", "InPktsNotValid", "InPktsLate",
                           "InPktsDelayed", "InPktsUnchecked", "InOctetsValidated",
                           "InOctetsDecrypted", "InPktsDuplicate"}) {
    EXPECT_EQ(ns.at(name), named(a).at(name) + named(b).at(name)) << name;
  }
  RxScCounters sc;
  sc.in_pkts_not_using_sa = 3;
  sc.in_pkts_unused_sa = 4;
  RxScCounters sc2 = sc;
  sc2 += sc;
  EXPECT_EQ(named(sc2).at("InPktsNotUsingSA"), 6u);
  EXPECT_EQ(named(sc2).at("InPktsUnusedSA"), 8u);
  EXPECT_EQ(named(sc2).size(), 11u);
  TxSaCounters t, u;
  fill(t, 7);
  fill(u, 70);
  TxScCounters ts = t;
  ts += u;
  for (const char* name : {"OutPktsProtected", "OutPktsEncrypted", "OutOctetsProtected",
                           "OutOctetsEncrypted", "TxPnExhausted", "TxPnUnreserved"}) {
    EXPECT_EQ(named(ts).at(name), named(t).at(name) + named(u).at(name)) << name;
  }
}

TEST(Counters, PerLcoreBlocksAreSummedOnRead) {
  auto tx = make_tx(CipherSuite::GcmAes128, 1);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  SecyConfig cfg;
  for (uint32_t slot : {0u, 5u, kMaxLcores - 1}) {
    auto engine = make_engine(EngineKind::IpsecMb, slot);
    auto f = protect_one(*engine, *tx, cfg, plain_frame(70));
    EXPECT_EQ(validate_one(*engine, *rx, cfg, f).res.verdict, RxVerdict::Ok);
    EXPECT_EQ(tx->counters(slot).out_pkts_encrypted, 1u);
    EXPECT_EQ(rx->at(0).sa(kTestAn)->counters(slot).in_pkts_ok, 1u);
  }
  EXPECT_EQ(tx->counters_sum().out_pkts_encrypted, 3u);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->counters_sum().in_pkts_ok, 3u);
  EXPECT_EQ(rx->at(0).counters_sum().sa_sum.in_pkts_ok, 3u);
  EXPECT_EQ(alignof(SecyCounters), 64u);
  EXPECT_EQ(alignof(RxSaCounters), 64u);
}

}  // namespace
}  // namespace linkcrypt::secy
