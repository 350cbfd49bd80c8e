// validate_burst on bursts must decide exactly as on the same frames one at a time: verdicts,
// recovered PN, SCI, AN, delivered bytes and every counter. Bursts take shortcuts that single
// frames never reach (a frame repeating the header of one already queued skips the SecTAG
// rules and the lookup; a burst of one SA with rising PNs, all verified, skips the per-frame
// replay re-check), so random streams mixing good frames with every kind of bad one, cut into
// random bursts, check those shortcuts against the full per-frame path.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine_params.h"
#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

// SC B is the SCI an end station (ES=1) with MAC SA 12:15:35:24:C0:89 implies (9.9).
constexpr Sci kSciB = 0x1215'3524'C089'0001ull;
constexpr Sci kSciUnknown = 0x0200'0000'0000'0009ull;
constexpr uint64_t kXpnBase = 0x5'0000'0100ull;  // XPN PNs stay far from a 2^32 boundary

std::unique_ptr<RxTable> make_table(CipherSuite s, uint64_t lowest) {
  auto t = make_rx(s, lowest);  // SC kTestSci, AN kTestAn
  RxSaParams p;
  p.suite = s;
  p.an = 3;
  p.lowest_pn = lowest;
  p.xpn = test_xpn();
  t->at(0).install_sa(std::make_unique<RxSa>(p, test_sak(s)));
  p.an = 0;
  t->add_sc(kSciB).install_sa(std::make_unique<RxSa>(p, test_sak(s)));
  return t;
}

struct StreamBuilder {
  CipherEngine& engine;
  CipherSuite suite;
  std::mt19937& rng;
  uint64_t next_pn;
  std::vector<std::vector<uint8_t>> sent;  // good frames so far (for replays)

  uint32_t len() {
    static constexpr uint32_t kLens[] = {14, 20, 40, 47, 50, 60, 61, 64, 100, 512, 1518};
    return rng() % 3 == 0 ? 14 + rng() % 300 : kLens[rng() % std::size(kLens)];
  }
  std::vector<uint8_t> protect(uint64_t pn, Sci sci, uint8_t an, bool conf, bool with_sci) {
    SecyConfig pc;
    pc.confidentiality = conf;
    pc.include_sci = with_sci;
    auto sa = make_tx(suite, pn, 0, sci, an);
    return protect_one(engine, *sa, pc, plain_frame(len(), static_cast<uint8_t>(rng())));
  }
  std::vector<uint8_t> good(bool conf = true) {
    auto f = protect(next_pn++, kTestSci, kTestAn, conf, true);
    sent.push_back(f);
    return f;
  }

  // One frame of the stream; mostly the next good frame of SC A / AN 1, as on a real link.
  std::vector<uint8_t> next(bool replays_allowed) {
    const uint32_t pick = rng() % 100;
    if (pick < 55) return good();
    if (pick < 60) return good(false);  // integrity only: C=0, E=0
    if (pick < 63) return protect(next_pn++, kTestSci, 3, true, true);   // the other AN of A
    if (pick < 66) return protect(next_pn++, kSciB, 0, rng() % 2, false);  // ES=1, implied SCI
    if (pick < 68) return protect(next_pn++, kTestSci, 2, rng() % 2, true);  // AN without SA
    if (pick < 70) return protect(next_pn++, kSciUnknown, 1, rng() % 2, true);
    if (pick < 74) {  // bad ICV or text
      auto f = good(rng() % 2);
      f[28 + rng() % (f.size() - 28)] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return f;
    }
    if (pick < 77) {  // the header of a good frame with PN zero
      auto f = good();
      std::memset(f.data() + 16, 0, 4);
      return f;
    }
    if (pick < 80) {  // a good header, a frame a few octets longer or shorter
      auto f = good();
      f.resize(rng() % 2 ? f.size() + 1 + rng() % 8 : f.size() - 1 - rng() % 20);
      return f;
    }
    if (pick < 83) {  // a short frame padded to the Ethernet minimum (legal) or past it (not)
      auto f = good();
      f.resize(rng() % 2 ? std::max<size_t>(f.size(), kMinFrameLen) : f.size() + 3, 0);
      return f;
    }
    if (pick < 86) {  // one TCI or SL bit flipped
      auto f = good();
      f[14 + rng() % 2] ^= static_cast<uint8_t>(1u << (rng() % 8));
      return f;
    }
    if (pick < 88) return plain_frame(len());
    if (pick < 90) {
      std::vector<uint8_t> f(rng() % 30);
      for (auto& b : f) b = static_cast<uint8_t>(rng());
      if (f.size() >= 14) {
        f[12] = 0x88;
        f[13] = 0xE5;
      }
      return f;
    }
    if (replays_allowed && !sent.empty()) {
      if (pick < 95) return sent[sent.size() - 1 - rng() % std::min<size_t>(sent.size(), 40)];
      return protect(next_pn > 20 ? next_pn - 1 - rng() % 20 : 1, kTestSci, kTestAn, true, true);
    }
    return good();
  }
};

void expect_same(const RxSaCounters& a, const RxSaCounters& b, const std::string& what) {
  EXPECT_EQ(a.in_pkts_ok, b.in_pkts_ok) << what;
  EXPECT_EQ(a.in_pkts_invalid, b.in_pkts_invalid) << what;
  EXPECT_EQ(a.in_pkts_not_valid, b.in_pkts_not_valid) << what;
  EXPECT_EQ(a.in_pkts_late, b.in_pkts_late) << what;
  EXPECT_EQ(a.in_pkts_delayed, b.in_pkts_delayed) << what;
  EXPECT_EQ(a.in_pkts_unchecked, b.in_pkts_unchecked) << what;
  EXPECT_EQ(a.in_octets_validated, b.in_octets_validated) << what;
  EXPECT_EQ(a.in_octets_decrypted, b.in_octets_decrypted) << what;
}

void expect_same(const SecyCounters& a, const SecyCounters& b) {
  EXPECT_EQ(a.in_pkts_untagged, b.in_pkts_untagged);
  EXPECT_EQ(a.in_pkts_no_tag, b.in_pkts_no_tag);
  EXPECT_EQ(a.in_pkts_bad_tag, b.in_pkts_bad_tag);
  EXPECT_EQ(a.in_pkts_unknown_sci, b.in_pkts_unknown_sci);
  EXPECT_EQ(a.in_pkts_no_sci, b.in_pkts_no_sci);
  EXPECT_EQ(a.in_octets_validated, b.in_octets_validated);
  EXPECT_EQ(a.in_octets_decrypted, b.in_octets_decrypted);
  for (size_t r = 0; r < static_cast<size_t>(BadTagReason::kCount); ++r) {
    EXPECT_EQ(a.in_bad_tag_by_reason[r], b.in_bad_tag_by_reason[r]) << "reason " << r;
  }
}

class BurstEquivalence : public ::testing::TestWithParam<EngineKind> {};

TEST_P(BurstEquivalence, BurstsDecideLikeSingleFrames) {
  auto engine = make_engine(GetParam(), 1);
  std::mt19937 rng(2026);
  uint64_t frames = 0;
  uint64_t ok = 0;
  for (int iter = 0; iter < 240; ++iter) {
    const auto suite = static_cast<CipherSuite>(iter % 4);
    const bool xpn = is_xpn(suite);
    SecyConfig cfg;
    cfg.validate_frames = static_cast<ValidateFrames>(rng() % 3);
    cfg.replay_protect = rng() % 4 != 0;
    static constexpr uint32_t kWindows[] = {0, 0, 4, 1000};
    cfg.replay_window = kWindows[rng() % 4];
    SCOPED_TRACE("iteration " + std::to_string(iter) + " suite " + std::string(cipher_suite_name(suite)) +
                 " mode " + std::to_string(static_cast<int>(cfg.validate_frames)) + " replay " +
                 std::to_string(cfg.replay_protect) + " window " + std::to_string(cfg.replay_window));
    const uint64_t first_pn = xpn ? kXpnBase : 1;
    StreamBuilder sb{*engine, suite, rng, first_pn, {}};
    // With XPN, a replayed or old frame can recover to a different PN in a burst (10.6.2 uses
    // the lowest PN at the start of the burst) than alone (the lowest PN after its
    // predecessors): dropped either way, but counted Late or NotValid. So XPN streams carry
    // no replays; the 32-bit suites test those.
    std::vector<std::vector<uint8_t>> stream;
    const size_t n = 40 + rng() % 120;
    for (size_t i = 0; i < n; ++i) stream.push_back(sb.next(!xpn));

    auto burst_table = make_table(suite, first_pn);
    auto single_table = make_table(suite, first_pn);
    auto burst_bytes = stream;
    auto single_bytes = stream;
    std::vector<FrameRef> refs;
    for (auto& b : burst_bytes) refs.push_back(FrameRef{b.data(), static_cast<uint32_t>(b.size())});
    std::vector<ValidateResult> burst_res(n);
    std::vector<ValidateResult> single_res(n);
    SecyCounters burst_c;
    SecyCounters single_c;
    uint32_t burst_delivered = 0;
    for (size_t at = 0; at < n;) {  // bursts of 1..40 frames (validate_burst splits past 32)
      const uint32_t len = std::min<uint32_t>(static_cast<uint32_t>(n - at), 1 + rng() % 40);
      burst_delivered += validate_burst(*engine, *burst_table, cfg, refs.data() + at, len,
                                        burst_res.data() + at, burst_c);
      at += len;
    }
    uint32_t single_delivered = 0;
    for (size_t i = 0; i < n; ++i) {
      FrameRef f{single_bytes[i].data(), static_cast<uint32_t>(single_bytes[i].size())};
      single_delivered += validate_burst(*engine, *single_table, cfg, &f, 1, &single_res[i], single_c);
    }

    EXPECT_EQ(burst_delivered, single_delivered);
    for (size_t i = 0; i < n; ++i) {
      const ValidateResult& b = burst_res[i];
      const ValidateResult& s = single_res[i];
      ASSERT_EQ(rx_verdict_name(b.verdict), std::string(rx_verdict_name(s.verdict))) << "frame " << i;
      if (b.verdict == RxVerdict::BadTag) {
        EXPECT_EQ(b.bad_tag, s.bad_tag) << "frame " << i;
      }
      EXPECT_EQ(b.pn, s.pn) << "frame " << i;
      EXPECT_EQ(b.sci, s.sci) << "frame " << i;
      EXPECT_EQ(b.an, s.an) << "frame " << i;
      if (rx_delivers(b.verdict)) {
        ASSERT_EQ(b.plain_offset, s.plain_offset) << "frame " << i;
        ASSERT_EQ(b.plain_len, s.plain_len) << "frame " << i;
        ASSERT_LE(b.plain_offset + b.plain_len, burst_bytes[i].size());
        // Unchecked and Invalid frames deliver whatever the text is; compare the same octets.
        EXPECT_TRUE(std::equal(burst_bytes[i].begin() + b.plain_offset,
                               burst_bytes[i].begin() + b.plain_offset + b.plain_len,
                               single_bytes[i].begin() + s.plain_offset))
            << "frame " << i;
      }
      ok += b.verdict == RxVerdict::Ok;
    }
    frames += n;
    expect_same(burst_c, single_c);
    for (Sci sci : {kTestSci, kSciB}) {
      const RxSc& bsc = *burst_table->find(sci);
      const RxSc& ssc = *single_table->find(sci);
      EXPECT_EQ(bsc.counters_sum().in_pkts_not_using_sa, ssc.counters_sum().in_pkts_not_using_sa);
      EXPECT_EQ(bsc.counters_sum().in_pkts_unused_sa, ssc.counters_sum().in_pkts_unused_sa);
      for (uint8_t an = 0; an < 4; ++an) {
        if (!bsc.sa(an)) continue;
        const std::string what = "SC " + std::to_string(sci) + " AN " + std::to_string(an);
        expect_same(bsc.sa(an)->counters_sum(), ssc.sa(an)->counters_sum(), what);
        EXPECT_EQ(bsc.sa(an)->next_pn(), ssc.sa(an)->next_pn()) << what;
      }
    }
    if (HasFatalFailure()) return;
  }
  // The streams must exercise the shortcuts, not only the drops.
  EXPECT_GT(frames, 15000u);
  EXPECT_GT(ok, frames / 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, BurstEquivalence, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
