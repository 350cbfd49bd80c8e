// Cipher suite names, TxSa PN reservation (never wraps), RxSa replay state, SC tables, SaKey.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "ipsecmb_engine.h"
#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

TEST(CipherSuiteNames, RoundTripAndProperties) {
  for (auto s : {CipherSuite::GcmAes128, CipherSuite::GcmAes256, CipherSuite::GcmAesXpn128,
                 CipherSuite::GcmAesXpn256}) {
    EXPECT_EQ(parse_cipher_suite(cipher_suite_name(s)), s);
  }
  EXPECT_EQ(parse_cipher_suite("GCM-AES-XPN-256"), CipherSuite::GcmAesXpn256);
  EXPECT_EQ(parse_cipher_suite("gcm-aes-192"), std::nullopt);
  EXPECT_EQ(parse_cipher_suite(""), std::nullopt);
  EXPECT_EQ(sak_len(CipherSuite::GcmAes128), 16u);
  EXPECT_EQ(sak_len(CipherSuite::GcmAesXpn256), 32u);
  EXPECT_TRUE(is_xpn(CipherSuite::GcmAesXpn128));
  EXPECT_FALSE(is_xpn(CipherSuite::GcmAes256));
  EXPECT_EQ(default_rekey_threshold(CipherSuite::GcmAes128), 0xC0000000ull);
  EXPECT_EQ(default_rekey_threshold(CipherSuite::GcmAesXpn128), 0xC000000000000000ull);
}

TEST(Engines, FactoryAndArchDetection) {
  auto e = make_engine(EngineKind::IpsecMb, 3);
  EXPECT_EQ(e->kind(), EngineKind::IpsecMb);
  EXPECT_EQ(e->lcore_slot(), 3u);
  const auto& imb = static_cast<IpsecMbEngine&>(*e);
  EXPECT_NE(imb.arch(), IMB_ARCH_NONE);
  EXPECT_EQ(imb.arch(), detect_imb_arch());
  EXPECT_NE(e->description().find(imb_arch_name(imb.arch())), std::string_view::npos);
  EXPECT_EQ(make_engine(EngineKind::OpenSsl)->kind(), EngineKind::OpenSsl);
  EXPECT_THROW(make_engine(EngineKind::OpenSsl, kMaxLcores), std::invalid_argument);
  EXPECT_EQ(parse_engine_kind("openssl"), EngineKind::OpenSsl);
  EXPECT_EQ(parse_engine_kind("ipsec-mb"), EngineKind::IpsecMb);
  EXPECT_EQ(parse_engine_kind("aesni"), std::nullopt);
}

TEST(SaKeyTest, RejectsWrongLengthAndHasUniqueIds) {
  std::vector<uint8_t> k16(16, 1), k32(32, 2);
  EXPECT_THROW(SaKey(CipherSuite::GcmAes256, k16), std::invalid_argument);
  EXPECT_THROW(SaKey(CipherSuite::GcmAesXpn128, k32), std::invalid_argument);
  SaKey a(CipherSuite::GcmAes128, k16), b(CipherSuite::GcmAes128, k16);
  EXPECT_NE(a.id(), b.id());
  EXPECT_FALSE(a.is_256());
  EXPECT_TRUE(SaKey(CipherSuite::GcmAesXpn256, k32).is_256());
  EXPECT_TRUE(std::equal(a.sak().begin(), a.sak().end(), k16.begin()));
}

TEST(TxSaTest, RejectsBadParameters) {
  EXPECT_THROW(make_tx(CipherSuite::GcmAes128, 0), std::invalid_argument);
  EXPECT_THROW(make_tx(CipherSuite::GcmAes128, 0x100000000ull), std::invalid_argument);
  EXPECT_THROW(make_tx(CipherSuite::GcmAes128, 1, 0, kTestSci, 4), std::invalid_argument);
  EXPECT_NO_THROW(make_tx(CipherSuite::GcmAesXpn128, 0x100000000ull));
}

TEST(TxSaTest, ReservesConsecutiveBlocksUpToTheLastPn) {
  auto sa = make_tx(CipherSuite::GcmAes128, 0xFFFFFFF0ull);
  uint64_t first = 0;
  EXPECT_EQ(sa->reserve_pns(10, first), 10u);
  EXPECT_EQ(first, 0xFFFFFFF0ull);
  EXPECT_EQ(sa->reserve_pns(32, first), 6u);  // 0xFFFFFFFA .. 0xFFFFFFFF
  EXPECT_EQ(first, 0xFFFFFFFAull);
  EXPECT_EQ(sa->reserve_pns(1, first), 0u);
  EXPECT_EQ(sa->reserve_pns(32, first), 0u);
  EXPECT_EQ(sa->next_pn(), 0x100000000ull);
}

TEST(TxSaTest, XpnReservesUpToTwoToThe64MinusOne) {
  auto sa = make_tx(CipherSuite::GcmAesXpn256, UINT64_MAX - 2);
  uint64_t first = 0;
  EXPECT_EQ(sa->reserve_pns(32, first), 3u);
  EXPECT_EQ(first, UINT64_MAX - 2);
  EXPECT_EQ(sa->reserve_pns(1, first), 0u);
  EXPECT_EQ(sa->reserve_pns(1, first), 0u);
}

TEST(TxSaTest, ConcurrentReservationsNeverOverlap) {
  auto sa = make_tx(CipherSuite::GcmAes128, 1);
  constexpr int kThreads = 4, kRounds = 5000;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        uint64_t first = 0;
        const uint32_t n = sa->reserve_pns(32, first);
        for (uint32_t i = 0; i < n; ++i) got[t].push_back(first + i);
      }
    });
  }
  for (auto& t : ts) t.join();
  std::set<uint64_t> all;
  size_t total = 0;
  for (auto& v : got) {
    total += v.size();
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(total, size_t{kThreads} * kRounds * 32);
  EXPECT_EQ(all.size(), total);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), total);
}

TEST(RxSaTest, LowestPnFollowsWindowAndKayFloor) {
  RxSaParams p;
  p.suite = CipherSuite::GcmAes128;
  p.lowest_pn = 100;
  RxSa sa(p, test_sak(p.suite));
  EXPECT_EQ(sa.next_pn(), 100u);
  EXPECT_EQ(sa.lowest_pn(0), 100u);
  EXPECT_EQ(sa.lowest_pn(50), 100u);  // the KaY's floor wins
  sa.on_validated(199);
  EXPECT_EQ(sa.next_pn(), 200u);
  EXPECT_EQ(sa.lowest_pn(0), 200u);
  EXPECT_EQ(sa.lowest_pn(64), 136u);
  EXPECT_EQ(sa.lowest_pn(1000), 100u);
  sa.on_validated(150);  // never moves back
  EXPECT_EQ(sa.next_pn(), 200u);
  sa.set_lowest_pn(180);
  EXPECT_EQ(sa.lowest_pn(1000), 180u);
  sa.set_lowest_pn(120);  // never lowered
  EXPECT_EQ(sa.lowest_pn(1000), 180u);
  sa.set_lowest_pn(500);  // nextPN follows
  EXPECT_EQ(sa.next_pn(), 500u);
  EXPECT_EQ(sa.lowest_pn(0), 500u);
}

TEST(RxTableTest, FindAddRejectsDuplicatesAndOverflow) {
  RxTable t;
  EXPECT_EQ(t.only_sc(), nullptr);
  RxSc& a = t.add_sc(1);
  EXPECT_EQ(t.only_sc(), &a);
  EXPECT_THROW(t.add_sc(1), std::invalid_argument);
  t.add_sc(2);
  EXPECT_EQ(t.only_sc(), nullptr);
  EXPECT_EQ(t.find(2)->sci(), 2u);
  EXPECT_EQ(t.find(3), nullptr);
  for (Sci s = 3; s <= RxTable::kMaxSc; ++s) t.add_sc(s);
  EXPECT_THROW(t.add_sc(999), std::length_error);
  EXPECT_EQ(a.sa(0), nullptr);
  RxSaParams p;
  p.suite = CipherSuite::GcmAes256;
  p.an = 2;
  a.install_sa(std::make_unique<RxSa>(p, test_sak(p.suite)));
  EXPECT_NE(a.sa(2), nullptr);
  a.remove_sa(2);
  EXPECT_EQ(a.sa(2), nullptr);
}

}  // namespace
}  // namespace linkcrypt::secy

namespace linkcrypt::secy {
namespace {

using namespace testutil;

// Several lcores validating frames of one SA (when an SC's frames are spread over queues):
// with a window covering the reordering, every frame is accepted, the per-lcore counters add up
// and nextPN ends one past the highest PN, with no lock anywhere. (Per 802.1AE a PN inside the
// window may be accepted twice; exact duplicate suppression is not what the window promises.)
TEST(RxSaConcurrency, ThreadsValidatingOneSaShareTheReplayState) {
  constexpr uint32_t kThreads = 4;
  constexpr uint32_t kFrames = 4096;
  SecyConfig cfg;
  cfg.replay_window = kFrames;  // frames arrive out of order across threads
  auto tx = make_tx(CipherSuite::GcmAesXpn128, 1);
  auto rx = make_rx(CipherSuite::GcmAesXpn128, 1);
  auto engine = make_engine(EngineKind::IpsecMb);
  std::vector<std::vector<uint8_t>> frames;
  for (uint32_t i = 0; i < kFrames; ++i) {
    frames.push_back(protect_one(*engine, *tx, cfg, plain_frame(64 + i % 100)));
  }
  std::vector<uint32_t> accepted(kThreads, 0);
  std::vector<std::thread> ts;
  for (uint32_t t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      auto e = make_engine(EngineKind::IpsecMb, t);
      SecyCounters c;
      // Thread t takes every kThreads-th burst: bursts interleave across threads.
      for (uint32_t base = t * kBurst; base < kFrames; base += kThreads * kBurst) {
        FrameRef refs[kBurst];
        ValidateResult res[kBurst];
        for (uint32_t i = 0; i < kBurst; ++i) {
          auto& f = frames[base + i];
          refs[i] = FrameRef{f.data(), static_cast<uint32_t>(f.size())};
        }
        accepted[t] += validate_burst(*e, *rx, cfg, refs, kBurst, res, c);
      }
    });
  }
  for (auto& t : ts) t.join();
  uint32_t total = 0;
  for (uint32_t a : accepted) total += a;
  EXPECT_EQ(total, kFrames);
  const RxSa& sa = *rx->at(0).sa(kTestAn);
  EXPECT_EQ(sa.counters_sum().in_pkts_ok + sa.counters_sum().in_pkts_delayed, kFrames);
  for (uint32_t t = 0; t < kThreads; ++t) {
    EXPECT_EQ(sa.counters(t).in_pkts_ok + sa.counters(t).in_pkts_delayed, accepted[t]);
  }
  EXPECT_EQ(sa.next_pn(), kFrames + 1u);
}

}  // namespace
}  // namespace linkcrypt::secy
