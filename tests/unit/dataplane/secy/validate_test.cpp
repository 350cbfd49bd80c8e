// validate_burst (802.1AE 10.6): replay window, lowest PN, XPN recovery, strict/check/disabled,
// E/C combinations, unknown SCI/AN, bad tags, padding, counters, malformed input.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "engine_params.h"
#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

class Validate : public ::testing::TestWithParam<EngineKind> {
 protected:
  std::unique_ptr<CipherEngine> engine_ = make_engine(GetParam(), 2);

  // Protects a 100-octet frame with PN `pn` (its own TxSa, so any PN order is possible).
  std::vector<uint8_t> frame_with_pn(CipherSuite s, uint64_t pn, const SecyConfig& cfg,
                                     uint32_t len = 100, Sci sci = kTestSci,
                                     uint8_t an = kTestAn) {
    auto sa = make_tx(s, pn, 0, sci, an);
    return protect_one(*engine_, *sa, cfg, plain_frame(len));
  }
  RxVerdict verdict(const RxTable& t, const SecyConfig& cfg, std::vector<uint8_t> f,
                    SecyCounters* c = nullptr) {
    return validate_one(*engine_, t, cfg, std::move(f), c).res.verdict;
  }
};

SecyConfig cfg_with(ValidateFrames v, bool conf = true, bool replay = true, uint32_t window = 0) {
  SecyConfig c;
  c.validate_frames = v;
  c.confidentiality = conf;
  c.replay_protect = replay;
  c.replay_window = window;
  return c;
}

TEST_P(Validate, OkDeliversPlainFrameAndCounts) {
  for (auto s : {CipherSuite::GcmAes128, CipherSuite::GcmAes256, CipherSuite::GcmAesXpn128,
                 CipherSuite::GcmAesXpn256}) {
    for (bool conf : {true, false}) {
      SCOPED_TRACE(std::string(cipher_suite_name(s)) + (conf ? " conf" : " integ"));
      auto rx = make_rx(s, 1);
      const auto cfg = cfg_with(ValidateFrames::Strict, conf);
      SecyCounters c;
      auto out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 7, cfg), &c);
      ASSERT_EQ(out.res.verdict, RxVerdict::Ok);
      EXPECT_EQ(out.plain, plain_frame(100));
      EXPECT_EQ(out.res.plain_offset, 16u);
      EXPECT_EQ(out.res.pn, 7u);
      EXPECT_EQ(out.res.sci, kTestSci);
      EXPECT_EQ(out.res.an, kTestAn);
      const RxSa& sa = *rx->at(0).sa(kTestAn);
      EXPECT_EQ(sa.counters(2).in_pkts_ok, 1u);  // the engine's lcore slot
      EXPECT_EQ(sa.counters(0).in_pkts_ok, 0u);
      EXPECT_EQ(conf ? c.in_octets_decrypted : c.in_octets_validated, 88u);
      EXPECT_EQ(conf ? sa.counters_sum().in_octets_decrypted : sa.counters_sum().in_octets_validated,
                88u);
      EXPECT_EQ(rx->at(0).counters_sum().sa_sum.in_pkts_ok, 1u);
      EXPECT_EQ(sa.next_pn(), 8u);
    }
  }
}

TEST_P(Validate, ReplayWindowZeroIsStrictlyIncreasing) {
  const auto cfg = cfg_with(ValidateFrames::Strict);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  const auto f10 = frame_with_pn(CipherSuite::GcmAes128, 10, cfg);
  EXPECT_EQ(verdict(*rx, cfg, f10), RxVerdict::Ok);
  EXPECT_EQ(verdict(*rx, cfg, f10), RxVerdict::Late);  // the same frame again
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 9, cfg)), RxVerdict::Late);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 11, cfg)), RxVerdict::Ok);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 100, cfg)), RxVerdict::Ok);
  const RxSa& sa = *rx->at(0).sa(kTestAn);
  EXPECT_EQ(sa.counters_sum().in_pkts_late, 2u);
  EXPECT_EQ(sa.counters_sum().in_pkts_ok, 3u);
}

TEST_P(Validate, ReplayWindowEdges) {
  const auto cfg = cfg_with(ValidateFrames::Strict, true, true, 5);
  auto rx = make_rx(CipherSuite::GcmAes256, 1);
  auto f = [&](uint64_t pn) { return frame_with_pn(CipherSuite::GcmAes256, pn, cfg); };
  EXPECT_EQ(verdict(*rx, cfg, f(20)), RxVerdict::Ok);  // nextPN 21, lowest 16
  EXPECT_EQ(verdict(*rx, cfg, f(15)), RxVerdict::Late);
  EXPECT_EQ(verdict(*rx, cfg, f(16)), RxVerdict::Ok);  // exactly at the window edge
  EXPECT_EQ(verdict(*rx, cfg, f(19)), RxVerdict::Ok);  // out of order, inside the window
  EXPECT_EQ(rx->at(0).sa(kTestAn)->next_pn(), 21u);     // not moved back
  EXPECT_EQ(verdict(*rx, cfg, f(21)), RxVerdict::Ok);
  EXPECT_EQ(verdict(*rx, cfg, f(16)), RxVerdict::Late);  // lowest is now 17
  EXPECT_EQ(verdict(*rx, cfg, f(17)), RxVerdict::Ok);
}

TEST_P(Validate, NoReplayProtectDeliversDelayed) {
  const auto cfg = cfg_with(ValidateFrames::Strict, true, /*replay=*/false);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 50, cfg)), RxVerdict::Ok);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 40, cfg)), RxVerdict::Delayed);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->next_pn(), 51u);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->counters_sum().in_pkts_delayed, 1u);
}

TEST_P(Validate, LowestAcceptablePnFromTheKay) {
  const auto cfg = cfg_with(ValidateFrames::Strict, true, true, 1000);
  auto rx = make_rx(CipherSuite::GcmAes128, 100);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 99, cfg)), RxVerdict::Late);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 100, cfg)), RxVerdict::Ok);
  rx->at(0).sa(kTestAn)->set_lowest_pn(200);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 199, cfg)), RxVerdict::Late);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 200, cfg)), RxVerdict::Ok);
}

TEST_P(Validate, XpnRecoversHighBitsAcrossTwoToThe32) {
  const auto s = CipherSuite::GcmAesXpn256;
  const auto cfg = cfg_with(ValidateFrames::Strict, true, true, 64);
  auto rx = make_rx(s, 0x1FFFFFFF0ull);  // lowest PN just below 2^33
  SecyCounters c;
  auto out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x1FFFFFFF5ull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.res.pn, 0x1FFFFFFF5ull);
  // Low bits 5 are below the lowest PN's low bits: the high half is carried up to 2.
  out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x200000005ull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.res.pn, 0x200000005ull);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->next_pn(), 0x200000006ull);
  // A frame from the previous 2^32 epoch (true PN 0x100000010) is read as 0x200000010: its ICV
  // cannot verify under that IV, so it is rejected, never accepted under the wrong PN.
  out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x100000010ull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::NotValid);
  EXPECT_EQ(out.res.pn, 0x200000010ull);
  // Only PNs in [lowest, lowest + 2^32) are recoverable: 0x300000000 reads as 0x200000000.
  out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x300000000ull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::NotValid);
  EXPECT_EQ(out.res.pn, 0x200000000ull);
  // The highest recoverable PN from lowest 0x1FFFFFFF0 is 0x2FFFFFFEF; after it, 0x300000000
  // (low half zero, a real XPN PN) is recovered with the high half carried to 3.
  out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x2FFFFFFEFull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.res.pn, 0x2FFFFFFEFull);
  out = validate_one(*engine_, *rx, cfg, frame_with_pn(s, 0x300000000ull, cfg), &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.res.pn, 0x300000000ull);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->counters_sum().in_pkts_ok, 4u);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->counters_sum().in_pkts_not_valid, 2u);
}

TEST_P(Validate, XpnAtTheTopOfThePnSpace) {
  const auto s = CipherSuite::GcmAesXpn128;
  const auto cfg = cfg_with(ValidateFrames::Strict);
  auto rx = make_rx(s, UINT64_MAX - 10);
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(s, UINT64_MAX, cfg)), RxVerdict::Ok);
  EXPECT_EQ(rx->at(0).sa(kTestAn)->next_pn(), UINT64_MAX);
  // Low bits below lowest's would need high bits 2^32: no such PN, so Late.
  EXPECT_EQ(verdict(*rx, cfg, frame_with_pn(s, 5, cfg)), RxVerdict::Late);
}

TEST_P(Validate, StrictCheckDisabledOnBadIcv) {
  for (bool conf : {true, false}) {
    for (auto mode : {ValidateFrames::Strict, ValidateFrames::Check, ValidateFrames::Disabled}) {
      SCOPED_TRACE(std::to_string(conf) + " mode " + std::to_string(static_cast<int>(mode)));
      const auto cfg = cfg_with(mode, conf);
      auto rx = make_rx(CipherSuite::GcmAes128, 1);
      auto f = frame_with_pn(CipherSuite::GcmAes128, 3, cfg);
      f.back() ^= 1;  // corrupt the ICV
      auto out = validate_one(*engine_, *rx, cfg, f);
      const auto& sa = *rx->at(0).sa(kTestAn);
      if (conf || mode == ValidateFrames::Strict) {
        EXPECT_EQ(out.res.verdict, RxVerdict::NotValid);  // 10.6.4: C set or Strict: discard
        EXPECT_EQ(sa.counters_sum().in_pkts_not_valid, 1u);
      } else if (mode == ValidateFrames::Check) {
        EXPECT_EQ(out.res.verdict, RxVerdict::Invalid);
        EXPECT_EQ(out.plain, plain_frame(100));  // integrity only: data intact, delivered
        EXPECT_EQ(sa.counters_sum().in_pkts_invalid, 1u);
      } else {
        EXPECT_EQ(out.res.verdict, RxVerdict::Unchecked);
        EXPECT_EQ(out.plain, plain_frame(100));
        EXPECT_EQ(sa.counters_sum().in_pkts_unchecked, 1u);
      }
      EXPECT_EQ(sa.next_pn(), 1u);  // nothing verified: the replay state did not move
    }
  }
}

// 10.7: InOctetsDecrypted / InOctetsValidated count user data recovered from frames whose ICV
// verified; a Late, NotValid or Invalid frame adds no octets (at SecY or SA level).
TEST_P(Validate, OctetCountersOnlyForValidatedFrames) {
  for (bool conf : {true, false}) {
    SCOPED_TRACE(conf ? "conf" : "integ");
    const auto check = cfg_with(ValidateFrames::Check, conf);
    auto rx = make_rx(CipherSuite::GcmAes128, 1);
    const auto& sa = *rx->at(0).sa(kTestAn);
    SecyCounters c;
    auto octets = [&] { return conf ? c.in_octets_decrypted : c.in_octets_validated; };
    auto sa_octets = [&] {
      const auto s = sa.counters_sum();
      return conf ? s.in_octets_decrypted : s.in_octets_validated;
    };
    const auto good = frame_with_pn(CipherSuite::GcmAes128, 5, check);
    EXPECT_EQ(validate_one(*engine_, *rx, check, good, &c).res.verdict, RxVerdict::Ok);
    EXPECT_EQ(octets(), 88u);
    EXPECT_EQ(sa_octets(), 88u);
    // Replayed: Late.
    EXPECT_EQ(validate_one(*engine_, *rx, check, good, &c).res.verdict, RxVerdict::Late);
    // Bad ICV: NotValid (conf) or Invalid (integrity only under Check, delivered).
    auto bad = frame_with_pn(CipherSuite::GcmAes128, 6, check);
    bad.back() ^= 1;
    EXPECT_EQ(validate_one(*engine_, *rx, check, bad, &c).res.verdict,
              conf ? RxVerdict::NotValid : RxVerdict::Invalid);
    EXPECT_EQ(octets(), 88u);
    EXPECT_EQ(sa_octets(), 88u);
    EXPECT_EQ(c.in_octets_decrypted + c.in_octets_validated, 88u);
    EXPECT_EQ(validate_one(*engine_, *rx, check, frame_with_pn(CipherSuite::GcmAes128, 7, check), &c)
                  .res.verdict,
              RxVerdict::Ok);
    EXPECT_EQ(octets(), 176u);
    EXPECT_EQ(sa_octets(), 176u);
  }
}

TEST_P(Validate, DisabledStillDecryptsConfidentialFrames) {
  const auto cfg = cfg_with(ValidateFrames::Disabled, true);
  auto rx = make_rx(CipherSuite::GcmAesXpn128, 1);
  auto out = validate_one(*engine_, *rx, cfg, frame_with_pn(CipherSuite::GcmAesXpn128, 9, cfg));
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.plain, plain_frame(100));
}

TEST_P(Validate, UntaggedFrames) {
  const auto plain = plain_frame(80);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  SecyCounters c;
  auto out = validate_one(*engine_, *rx, cfg_with(ValidateFrames::Strict), plain, &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::NoTag);
  EXPECT_EQ(c.in_pkts_no_tag, 1u);
  for (auto mode : {ValidateFrames::Check, ValidateFrames::Disabled}) {
    out = validate_one(*engine_, *rx, cfg_with(mode), plain, &c);
    EXPECT_EQ(out.res.verdict, RxVerdict::Untagged);
    EXPECT_EQ(out.res.plain_offset, 0u);
    EXPECT_EQ(out.plain, plain);
  }
  EXPECT_EQ(c.in_pkts_untagged, 2u);
}

TEST_P(Validate, UnknownSci) {
  auto rx = make_rx(CipherSuite::GcmAes128, 1, /*sci=*/0x1111);
  for (bool conf : {true, false}) {
    for (auto mode : {ValidateFrames::Strict, ValidateFrames::Check}) {
      const auto cfg = cfg_with(mode, conf);
      SecyCounters c;
      auto out = validate_one(*engine_, *rx, cfg, frame_with_pn(CipherSuite::GcmAes128, 3, cfg), &c);
      if (conf || mode == ValidateFrames::Strict) {
        EXPECT_EQ(out.res.verdict, RxVerdict::NoSci);
        EXPECT_EQ(c.in_pkts_no_sci, 1u);
      } else {
        EXPECT_EQ(out.res.verdict, RxVerdict::UnknownSci);
        EXPECT_EQ(out.plain, plain_frame(100));  // delivered unverified, SecTAG/ICV removed
        EXPECT_EQ(c.in_pkts_unknown_sci, 1u);
      }
      EXPECT_EQ(out.res.sci, kTestSci);
    }
  }
}

TEST_P(Validate, UnknownOrUnusedAn) {
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  for (bool conf : {true, false}) {
    for (auto mode : {ValidateFrames::Strict, ValidateFrames::Check}) {
      const auto cfg = cfg_with(mode, conf);
      auto out = validate_one(*engine_, *rx, cfg,
                              frame_with_pn(CipherSuite::GcmAes128, 3, cfg, 100, kTestSci, 3));
      if (conf || mode == ValidateFrames::Strict) {
        EXPECT_EQ(out.res.verdict, RxVerdict::NotUsingSa);
      } else {
        EXPECT_EQ(out.res.verdict, RxVerdict::UnusedSa);
        EXPECT_EQ(out.plain, plain_frame(100));
      }
      EXPECT_EQ(out.res.an, 3);
    }
  }
  const auto sc = rx->at(0).counters_sum();
  EXPECT_EQ(sc.in_pkts_not_using_sa, 3u);
  EXPECT_EQ(sc.in_pkts_unused_sa, 1u);
}

TEST_P(Validate, EAndCCombinations) {
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  SecyCounters c;
  // E=1, C=0: not a valid TCI.
  auto conf = frame_with_pn(CipherSuite::GcmAes128, 3, cfg_with(ValidateFrames::Check, true));
  conf[14] &= static_cast<uint8_t>(~kTciC);
  auto out = validate_one(*engine_, *rx, cfg_with(ValidateFrames::Check), conf, &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::BadTag);
  EXPECT_EQ(out.res.bad_tag, BadTagReason::EncryptNoChange);
  // E=0, C=1 on an integrity-only frame: the TCI is authenticated, so it fails; C forbids
  // delivery even under Check.
  auto integ = frame_with_pn(CipherSuite::GcmAes128, 4, cfg_with(ValidateFrames::Check, false));
  integ[14] |= kTciC;
  EXPECT_EQ(verdict(*rx, cfg_with(ValidateFrames::Check), integ), RxVerdict::NotValid);
  // E=1, C=1 with E cleared: C stays, so it is discarded (not delivered as ciphertext).
  auto conf2 = frame_with_pn(CipherSuite::GcmAes128, 5, cfg_with(ValidateFrames::Check, true));
  conf2[14] &= static_cast<uint8_t>(~kTciE);
  EXPECT_EQ(verdict(*rx, cfg_with(ValidateFrames::Check), conf2), RxVerdict::NotValid);
  EXPECT_EQ(c.in_pkts_bad_tag, 1u);
  EXPECT_EQ(c.in_bad_tag_by_reason[static_cast<size_t>(BadTagReason::EncryptNoChange)], 1u);
}

TEST_P(Validate, ImpliedSci) {
  // ES=1: the SCI is MAC SA ‖ 00-01 (the test frames' SA is 12:15:35:24:C0:89).
  const Sci es_sci = 0x12153524C0890001ull;
  SecyConfig cfg = cfg_with(ValidateFrames::Strict);
  cfg.include_sci = false;
  auto rx = make_rx(CipherSuite::GcmAesXpn256, 1, es_sci);
  rx->add_sc(0x9999);
  auto out = validate_one(*engine_, *rx, cfg, frame_with_pn(CipherSuite::GcmAesXpn256, 2, cfg, 100, es_sci));
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.res.plain_offset, 8u);
  EXPECT_EQ(out.plain, plain_frame(100));
  // ES=0, SC=0: only valid with exactly one receive SC. The TCI change breaks the ICV, so build
  // the frame with ES cleared by hand is not possible here; check the lookup outcome instead.
  auto f = frame_with_pn(CipherSuite::GcmAesXpn256, 3, cfg, 100, es_sci);
  f[14] &= static_cast<uint8_t>(~kTciEs);
  EXPECT_EQ(verdict(*rx, cfg, f), RxVerdict::NoSci);  // two SCs: nothing implied
  auto single = make_rx(CipherSuite::GcmAesXpn256, 1, es_sci);
  out = validate_one(*engine_, *single, cfg, f);
  EXPECT_EQ(out.res.verdict, RxVerdict::NotValid);  // found the SC, ICV covers the TCI
  EXPECT_EQ(out.res.sci, es_sci);
}

TEST_P(Validate, ShortFramesSlAndPadding) {
  const auto cfg = cfg_with(ValidateFrames::Strict);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  // 14-octet plain frame: 2 octets of secure data, SL = 2, protected 12+16+2+16 = 46 octets.
  auto f = frame_with_pn(CipherSuite::GcmAes128, 2, cfg, 14);
  ASSERT_EQ(f.size(), 46u);
  EXPECT_EQ(f[15], 2);
  f.resize(kMinFrameLen, 0);  // the wire pads to the Ethernet minimum
  auto out = validate_one(*engine_, *rx, cfg, f);
  EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
  EXPECT_EQ(out.plain, plain_frame(14));
  SecyCounters c;
  auto bad = frame_with_pn(CipherSuite::GcmAes128, 3, cfg, 14);
  bad[15] = 3;  // SL disagrees with the frame
  EXPECT_EQ(verdict(*rx, cfg, bad, &c), RxVerdict::BadTag);
  EXPECT_EQ(c.in_bad_tag_by_reason[static_cast<size_t>(BadTagReason::SlMismatch)], 1u);
}

TEST_P(Validate, PnZero) {
  const auto cfg = cfg_with(ValidateFrames::Strict);
  auto rx = make_rx(CipherSuite::GcmAes256, 1);
  auto f = frame_with_pn(CipherSuite::GcmAes256, 1, cfg);
  f[16] = f[17] = f[18] = f[19] = 0;
  SecyCounters c;
  auto out = validate_one(*engine_, *rx, cfg, f, &c);
  EXPECT_EQ(out.res.verdict, RxVerdict::BadTag);
  EXPECT_EQ(out.res.bad_tag, BadTagReason::PnZero);
  EXPECT_EQ(c.in_pkts_bad_tag, 1u);
}

TEST_P(Validate, BadTagsAreCountedByReason) {
  const auto cfg = cfg_with(ValidateFrames::Check);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  const auto good = frame_with_pn(CipherSuite::GcmAes128, 2, cfg);
  SecyCounters c;
  auto with = [&](size_t at, uint8_t v) {
    auto f = good;
    f[at] = v;
    return f;
  };
  EXPECT_EQ(verdict(*rx, cfg, with(14, good[14] | kTciV), &c), RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, with(14, good[14] | kTciEs), &c), RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, with(14, good[14] | kTciScb), &c), RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, with(15, 0x40), &c), RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, with(15, 5), &c), RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, std::vector<uint8_t>(good.begin(), good.begin() + 54), &c),
            RxVerdict::BadTag);
  EXPECT_EQ(verdict(*rx, cfg, std::vector<uint8_t>(good.begin(), good.begin() + 13), &c),
            RxVerdict::BadTag);
  EXPECT_EQ(c.in_pkts_bad_tag, 7u);
  auto by = [&](BadTagReason r) { return c.in_bad_tag_by_reason[static_cast<size_t>(r)]; };
  EXPECT_EQ(by(BadTagReason::Version), 1u);
  EXPECT_EQ(by(BadTagReason::EsAndSc), 1u);
  EXPECT_EQ(by(BadTagReason::ScbAndSc), 1u);
  EXPECT_EQ(by(BadTagReason::SlReserved), 1u);
  EXPECT_EQ(by(BadTagReason::SlMismatch), 1u);
  EXPECT_EQ(by(BadTagReason::ShortNoSl), 1u);  // 54 octets: SL 0 but 10 octets of secure data
  EXPECT_EQ(by(BadTagReason::TooShort), 1u);
}

TEST_P(Validate, MixedBurstGetsEachVerdictAndCountsDeliveries) {
  const auto cfg = cfg_with(ValidateFrames::Strict);
  auto rx = make_rx(CipherSuite::GcmAesXpn128, 1);
  std::vector<std::vector<uint8_t>> bufs;
  for (uint64_t pn = 1; pn <= 40; ++pn) bufs.push_back(frame_with_pn(CipherSuite::GcmAesXpn128, pn, cfg, 60 + pn));
  bufs[5].back() ^= 0x80;              // bad ICV
  bufs[6] = plain_frame(64);           // untagged
  bufs[7] = bufs[3];                   // replay of PN 4 inside the same burst
  bufs[35] = std::vector<uint8_t>(5);  // runt
  std::vector<FrameRef> refs;
  for (auto& b : bufs) refs.push_back(FrameRef{b.data(), static_cast<uint32_t>(b.size())});
  std::vector<ValidateResult> res(refs.size());
  SecyCounters c;
  const uint32_t delivered =
      validate_burst(*engine_, *rx, cfg, refs.data(), static_cast<uint32_t>(refs.size()), res.data(), c);
  EXPECT_EQ(delivered, 36u);
  EXPECT_EQ(res[5].verdict, RxVerdict::NotValid);
  EXPECT_EQ(res[6].verdict, RxVerdict::NoTag);
  // The duplicate of PN 4 was admitted before PN 4 validated (same burst) and is caught by the
  // second replay check after verification.
  EXPECT_EQ(res[7].verdict, RxVerdict::Late);
  EXPECT_EQ(res[35].verdict, RxVerdict::BadTag);
  for (size_t i : {0u, 1u, 2u, 3u, 4u, 8u, 31u, 32u, 39u}) {
    ASSERT_EQ(res[i].verdict, RxVerdict::Ok) << i;
    EXPECT_EQ(std::vector<uint8_t>(bufs[i].begin() + res[i].plain_offset,
                                   bufs[i].begin() + res[i].plain_offset + res[i].plain_len),
              plain_frame(static_cast<uint32_t>(60 + i + 1)));
  }
  const auto sa = rx->at(0).sa(kTestAn)->counters_sum();
  EXPECT_EQ(sa.in_pkts_ok, 36u);
  EXPECT_EQ(sa.in_pkts_not_valid, 1u);
  EXPECT_EQ(sa.in_pkts_late, 1u);
}

TEST_P(Validate, JumboFrameRoundTrip) {
  for (bool conf : {true, false}) {
    const auto cfg = cfg_with(ValidateFrames::Strict, conf);
    auto rx = make_rx(CipherSuite::GcmAes256, 1);
    auto out = validate_one(*engine_, *rx, cfg,
                            frame_with_pn(CipherSuite::GcmAes256, 1, cfg, kMaxPlainFrameLen));
    EXPECT_EQ(out.res.verdict, RxVerdict::Ok);
    EXPECT_EQ(out.plain, plain_frame(kMaxPlainFrameLen));
  }
}

TEST_P(Validate, MalformedFramesNeverCrash) {
  std::mt19937 rng(7);
  auto rx = make_rx(CipherSuite::GcmAes128, 1);
  const auto good = frame_with_pn(CipherSuite::GcmAes128, 2, cfg_with(ValidateFrames::Check));
  uint64_t delivered_unexpectedly = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto mode = static_cast<ValidateFrames>(rng() % 3);
    std::vector<uint8_t> f;
    if (i % 2) {
      f.resize(rng() % 200);
      for (auto& b : f) b = static_cast<uint8_t>(rng());
      if (f.size() > 14 && rng() % 2) {
        f[12] = 0x88;
        f[13] = 0xE5;
      }
    } else {
      f = good;
      f.resize(rng() % (good.size() + 1));
      for (int k = 0; k < 3 && !f.empty(); ++k) f[rng() % f.size()] ^= static_cast<uint8_t>(rng());
    }
    auto out = validate_one(*engine_, *rx, cfg_with(mode), f);
    if (out.res.verdict == RxVerdict::Ok) ++delivered_unexpectedly;
    if (rx_delivers(out.res.verdict)) {
      EXPECT_LE(out.res.plain_offset + out.res.plain_len, f.size());
    }
  }
  EXPECT_EQ(delivered_unexpectedly, 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, Validate, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
