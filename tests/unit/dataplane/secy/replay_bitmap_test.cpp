// --replay-check strict: the ReplayBitmap on its own (duplicates, reordering, jumps past the
// ring, 64-bit XPN PNs, concurrent lcores) and through validate_burst (InPktsDuplicate in the
// fast and the per-SA commit, window 0, strict off delivers the duplicate as 802.1AE says).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine_params.h"
#include "replay_bitmap.h"
#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

TEST(ReplayBitmap, DuplicateInsideTheRingIsSeen) {
  ReplayBitmap bm(1);
  EXPECT_FALSE(bm.seen_before(1));
  EXPECT_FALSE(bm.seen_before(2));
  EXPECT_TRUE(bm.seen_before(1));
  EXPECT_TRUE(bm.seen_before(2));
  EXPECT_FALSE(bm.seen_before(3));
}

TEST(ReplayBitmap, ReorderingIsNotADuplicate) {
  ReplayBitmap bm(1);
  // Every PN of 1..2000 once, in a scrambled order that stays within a few hundred PNs.
  std::vector<uint64_t> order;
  for (uint64_t base = 1; base <= 2000; base += 200) {
    for (uint64_t i = 0; i < 200; ++i) order.push_back(base + (i * 37) % 200);
  }
  for (uint64_t pn : order) EXPECT_FALSE(bm.seen_before(pn)) << pn;
  for (uint64_t pn = 2000 - 1000; pn <= 2000; ++pn) EXPECT_TRUE(bm.seen_before(pn)) << pn;
}

TEST(ReplayBitmap, JumpBeyondTheRingStartsEmpty) {
  ReplayBitmap bm(1);
  for (uint64_t pn = 1; pn <= 100; ++pn) EXPECT_FALSE(bm.seen_before(pn));
  // A jump far past the ring: the words the new PNs map to held the old ones' blocks.
  const uint64_t far = 100 + ReplayBitmap::kWords * ReplayBitmap::kBlockBits * 3;
  EXPECT_FALSE(bm.seen_before(far));
  for (uint64_t pn = far - 1000; pn < far; ++pn) EXPECT_FALSE(bm.seen_before(pn)) << pn;
  EXPECT_TRUE(bm.seen_before(far));
  // Exactly one ring further: every word index is the same as before, only the tag differs.
  const uint64_t ring = uint64_t{ReplayBitmap::kWords} * ReplayBitmap::kBlockBits;
  EXPECT_FALSE(bm.seen_before(far + ring));
  EXPECT_FALSE(bm.seen_before(far + ring - 1));
}

TEST(ReplayBitmap, XpnPnsUseAllSixtyFourBits) {
  const uint64_t top = UINT64_MAX;
  ReplayBitmap bm(top - 5000);
  EXPECT_FALSE(bm.seen_before(top - 4000));
  EXPECT_FALSE(bm.seen_before(top));
  EXPECT_FALSE(bm.seen_before(top - 1));
  EXPECT_TRUE(bm.seen_before(top));
  EXPECT_TRUE(bm.seen_before(top - 1));
  // PNs 2^32 and 2^45 apart share the low bits (and 2^45 also the word tag's truncation).
  ReplayBitmap low(1);
  EXPECT_FALSE(low.seen_before(7));
  EXPECT_FALSE(low.seen_before(7 + (uint64_t{1} << 32)));
  EXPECT_FALSE(low.seen_before(7 + (uint64_t{1} << 45)));
  EXPECT_FALSE(low.seen_before(7 + (uint64_t{1} << 63)));
  EXPECT_TRUE(low.seen_before(7 + (uint64_t{1} << 63)));
}

TEST(ReplayBitmap, BlockMarkReturnsOnlyTheDuplicates) {
  ReplayBitmap bm(1);
  bm.advance_to(0);
  EXPECT_EQ(bm.test_and_set(0, 0b0110), 0u);
  EXPECT_EQ(bm.test_and_set(0, 0b1100), 0b0100u);
  EXPECT_EQ(bm.test_and_set(0, 0b1110), 0b1110u);
}

// Two threads deliver disjoint PNs (odd / even) of one SA at once, then both replay all of them:
// no PN is ever called a duplicate the first time, and every replay is caught.
TEST(ReplayBitmap, ConcurrentLcoresNeverFalseDuplicate) {
  ReplayBitmap bm(1);
  constexpr uint64_t kN = 40000;
  std::atomic<uint64_t> false_dups{0};
  std::atomic<uint64_t> missed{0};
  std::atomic<uint64_t> progress[2] = {0, 0};
  auto run = [&](uint64_t parity) {
    for (uint64_t base = 1; base < kN; base += 64) {
      // Stay within a window of the other thread, as two lcores on one link do: a thread far
      // behind would deliver PNs below the window, which the replay check drops as Late.
      while (base > progress[1 - parity].load() + 1024 && progress[1 - parity].load() < kN) {
        std::this_thread::yield();
      }
      for (uint64_t pn = base; pn < base + 64; ++pn) {
        if (pn % 2 == parity && bm.seen_before(pn)) ++false_dups;
      }
      // Replay the previous group (well inside the ring): all must be caught.
      if (base > 64) {
        for (uint64_t pn = base - 64; pn < base; ++pn) {
          if (pn % 2 == parity && !bm.seen_before(pn)) ++missed;
        }
      }
      progress[parity].store(base + 64);
    }
    progress[parity].store(kN);
  };
  std::thread a(run, 0), b(run, 1);
  a.join();
  b.join();
  // The guarantee: a new frame is never taken for a duplicate, whatever the interleaving.
  EXPECT_EQ(false_dups.load(), 0u);
  // A race with the other thread re-initialising a word may only MISS a duplicate. How many
  // depends on the scheduling (0 to ~1% here, where the two threads interleave PN by PN, the
  // worst case; docs/secy.md), so it is reported, not bounded: a bound would make this test flaky.
  std::printf("replay replays missed under the race: %llu of %llu\n",
              static_cast<unsigned long long>(missed.load()), static_cast<unsigned long long>(kN));
}

// ---- through validate_burst ----

class ReplayStrict : public ::testing::TestWithParam<EngineKind> {
 protected:
  std::unique_ptr<CipherEngine> engine_ = make_engine(GetParam(), 1);

  static SecyConfig strict_cfg(uint32_t window, bool strict = true) {
    SecyConfig c;
    c.replay_window = window;
    c.replay_strict = strict;
    return c;
  }
  std::vector<uint8_t> frame(CipherSuite s, uint64_t pn, const SecyConfig& cfg) {
    auto sa = make_tx(s, pn);
    return protect_one(*engine_, *sa, cfg, plain_frame(64));
  }
  // Validates the frames with these PNs as one call (bursts of kBurst) and returns the verdicts.
  std::vector<RxVerdict> burst(const RxTable& t, const SecyConfig& cfg, CipherSuite s,
                               const std::vector<uint64_t>& pns) {
    std::vector<std::vector<uint8_t>> bufs;
    for (uint64_t pn : pns) bufs.push_back(frame(s, pn, cfg));
    std::vector<FrameRef> refs;
    for (auto& b : bufs) refs.push_back(FrameRef{b.data(), static_cast<uint32_t>(b.size())});
    std::vector<ValidateResult> res(refs.size());
    SecyCounters c;
    validate_burst(*engine_, t, cfg, refs.data(), static_cast<uint32_t>(refs.size()), res.data(), c);
    std::vector<RxVerdict> v;
    for (const auto& r : res) v.push_back(r.verdict);
    return v;
  }
  static std::vector<uint64_t> range(uint64_t from, uint64_t n) {
    std::vector<uint64_t> v;
    for (uint64_t i = 0; i < n; ++i) v.push_back(from + i);
    return v;
  }
  static RxSaCounters sums(const RxTable& t) { return t.at(0).sa(kTestAn)->counters_sum(); }
};

using V = RxVerdict;

TEST_P(ReplayStrict, DuplicateBurstInsideTheWindowIsDropped) {
  const auto cfg = strict_cfg(256);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  // Fast commit (one SA, rising PNs, all good): 32 new, then the same 32 again, inside the window.
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 32)), std::vector<V>(32, V::Ok));
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 32)), std::vector<V>(32, V::Duplicate));
  // A burst with some old and some new PNs: only the old ones are dropped.
  auto mixed = range(20, 32);  // 20..31 seen, 32..51 new
  const auto v = burst(*rx, cfg, CipherSuite::GcmAes128, mixed);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], mixed[i] < 33 ? V::Duplicate : V::Ok) << mixed[i];
  const auto c = sums(*rx);
  EXPECT_EQ(c.in_pkts_ok, 32u + 19u);
  EXPECT_EQ(c.in_pkts_duplicate, 32u + 13u);
  EXPECT_EQ(c.in_pkts_late, 0u);
  EXPECT_EQ(c.in_octets_decrypted, (32u + 19u) * (64u - 12u));
}

TEST_P(ReplayStrict, DuplicatesWithinOneBurstAndReordering) {
  const auto cfg = strict_cfg(64);
  auto rx = make_rx(CipherSuite::GcmAesXpn256, 1);
  // Not rising: the per-SA commit. 5 and 3 repeat within the same burst.
  const std::vector<uint64_t> pns = {5, 3, 4, 5, 1, 2, 3, 9, 8};
  const std::vector<V> want = {V::Ok, V::Ok, V::Ok, V::Duplicate, V::Ok, V::Ok, V::Duplicate, V::Ok, V::Ok};
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAesXpn256, pns), want);
  // Reordered inside the window, all new: all delivered.
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAesXpn256, {40, 12, 30, 11, 10, 20}), std::vector<V>(6, V::Ok));
  EXPECT_EQ(sums(*rx).in_pkts_duplicate, 2u);
}

TEST_P(ReplayStrict, JumpBeyondTheWindowThenBelowItIsLate) {
  const auto cfg = strict_cfg(100);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 10)), std::vector<V>(10, V::Ok));
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, {100000}), std::vector<V>{V::Ok});
  // The old PNs are now below the window: Late, not Duplicate. Inside the new window: new.
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, {5, 99950, 99950}),
            (std::vector<V>{V::Late, V::Ok, V::Duplicate}));
}

TEST_P(ReplayStrict, XpnDuplicateAboveTwoToThe32) {
  const auto cfg = strict_cfg(64);
  const uint64_t base = (uint64_t{1} << 40) + 0xFFFFFFF0ull;  // crosses a 2^32 boundary
  auto rx = make_rx(CipherSuite::GcmAesXpn128, base);
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAesXpn128, range(base, 32)), std::vector<V>(32, V::Ok));
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAesXpn128, {base + 20, base + 3, base + 40}),
            (std::vector<V>{V::Duplicate, V::Duplicate, V::Ok}));
}

TEST_P(ReplayStrict, WindowZeroDuplicateIsLate) {
  const auto cfg = strict_cfg(0);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 8)), std::vector<V>(8, V::Ok));
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 8)), std::vector<V>(8, V::Late));
  EXPECT_EQ(sums(*rx).in_pkts_duplicate, 0u);
}

TEST_P(ReplayStrict, OffDeliversTheDuplicateAs8021AESays) {
  const auto cfg = strict_cfg(64, /*strict=*/false);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 8)), std::vector<V>(8, V::Ok));
  EXPECT_EQ(burst(*rx, cfg, CipherSuite::GcmAes128, range(1, 8)), std::vector<V>(8, V::Ok));
  EXPECT_EQ(sums(*rx).in_pkts_duplicate, 0u);
}

TEST_P(ReplayStrict, ForgedFrameIsNotRecorded) {
  const auto cfg = strict_cfg(64);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  auto f = frame(CipherSuite::GcmAes128, 7, cfg);
  auto bad = f;
  bad[30] ^= 1;  // secure data: the ICV fails
  EXPECT_EQ(validate_one(*engine_, *rx, cfg, bad).res.verdict, V::NotValid);
  EXPECT_EQ(validate_one(*engine_, *rx, cfg, f).res.verdict, V::Ok);
  EXPECT_EQ(validate_one(*engine_, *rx, cfg, f).res.verdict, V::Duplicate);
}

INSTANTIATE_TEST_SUITE_P(Engines, ReplayStrict, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
