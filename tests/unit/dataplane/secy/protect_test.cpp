// protect_burst: SecTAG fields, in-place layout, PN exhaustion, rekey threshold, length limits.
#include <gtest/gtest.h>

#include <vector>

#include "engine_params.h"
#include "secy_test_util.h"

namespace linkcrypt::secy {
namespace {

using namespace testutil;

class Protect : public ::testing::TestWithParam<EngineKind> {
 protected:
  std::unique_ptr<CipherEngine> engine_ = make_engine(GetParam(), 1);
};

// Protects `count` frames of `len` octets in one call; returns verdicts and keeps the buffers.
struct Burst {
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<FrameRef> refs;
  std::vector<ProtectVerdict> verdicts;
  ProtectBurstResult result;
};
Burst run(CipherEngine& e, TxSa& sa, const SecyConfig& cfg, uint32_t count, uint32_t len,
          SecyCounters& c) {
  Burst b;
  const size_t tag_len = sectag_len(cfg.include_sci);
  b.bufs.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    auto plain = plain_frame(len, static_cast<uint8_t>(i));
    b.bufs[i].assign(tag_len + len + kIcvLen, 0);
    std::copy(plain.begin(), plain.end(), b.bufs[i].begin() + static_cast<long>(tag_len));
    b.refs.push_back(FrameRef{b.bufs[i].data(), len});
  }
  b.verdicts.resize(count);
  b.result = protect_burst(e, sa, cfg, b.refs.data(), count, b.verdicts.data(), c);
  return b;
}

uint32_t pn_of(const std::vector<uint8_t>& f) {
  return (uint32_t{f[16]} << 24) | (uint32_t{f[17]} << 16) | (uint32_t{f[18]} << 8) | f[19];
}

TEST_P(Protect, LayoutTagAndCountersConfidentiality) {
  auto sa = make_tx(CipherSuite::GcmAes256, 5);
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, *sa, cfg, 3, 100, c);
  EXPECT_EQ(b.result.protected_count, 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    auto plain = plain_frame(100, static_cast<uint8_t>(i));
    ASSERT_EQ(b.verdicts[i], ProtectVerdict::Ok);
    ASSERT_EQ(b.refs[i].len, 100u + 16 + 16);
    const auto& f = b.bufs[i];
    EXPECT_TRUE(std::equal(f.begin(), f.begin() + 12, plain.begin()));  // addresses moved
    EXPECT_EQ(f[12], 0x88);
    EXPECT_EQ(f[13], 0xE5);
    EXPECT_EQ(f[14], kTciSc | kTciE | kTciC | kTestAn);
    EXPECT_EQ(f[15], 0);  // 88 octets of secure data: no SL
    EXPECT_EQ(pn_of(f), 5 + i);
    EXPECT_NE(f[28], plain[12]);  // encrypted (EtherType 08 00 is not left in clear)
  }
  EXPECT_EQ(c.out_octets_encrypted, 3u * 88);
  const auto sc = sa->counters_sum();
  EXPECT_EQ(sc.out_pkts_encrypted, 3u);
  EXPECT_EQ(sc.out_octets_encrypted, 3u * 88);
  EXPECT_EQ(sc.out_pkts_protected, 0u);
  EXPECT_EQ(sa->counters(1).out_pkts_encrypted, 3u);  // kept under the engine's lcore slot
  EXPECT_EQ(sa->counters(0).out_pkts_encrypted, 0u);
  EXPECT_EQ(sa->next_pn(), 8u);
}

TEST_P(Protect, IntegrityOnlyLeavesDataInClearAndSetsSl) {
  auto sa = make_tx(CipherSuite::GcmAesXpn128, 0x1FFFFFFFEull);
  SecyConfig cfg;
  cfg.confidentiality = false;
  cfg.include_sci = false;
  SecyCounters c;
  auto b = run(*engine_, *sa, cfg, 3, 12 + 47, c);  // 47 octets of secure data
  auto plain = plain_frame(59, 0);
  const auto& f = b.bufs[0];
  ASSERT_EQ(b.refs[0].len, 59u + 8 + 16);
  EXPECT_EQ(f[14], kTciEs | kTestAn);
  EXPECT_EQ(f[15], 47);
  EXPECT_TRUE(std::equal(plain.begin() + 12, plain.end(), f.begin() + 20));
  EXPECT_EQ(pn_of(b.bufs[0]) - 0, 0xFFFFFFFEu);  // low 32 bits of the XPN
  EXPECT_EQ(pn_of(b.bufs[1]), 0xFFFFFFFFu);
  EXPECT_EQ(pn_of(b.bufs[2]), 0u);              // 0x2_00000000: low half zero is fine with XPN
  EXPECT_EQ(c.out_octets_protected, 3u * 47);
  EXPECT_EQ(sa->counters_sum().out_pkts_protected, 3u);
  auto b48 = run(*engine_, *sa, cfg, 1, 12 + 48, c);
  EXPECT_EQ(b48.bufs[0][15], 0);
}

TEST_P(Protect, PnExhaustionRefusesAndCounts) {
  auto sa = make_tx(CipherSuite::GcmAes128, 0xFFFFFFFDull);
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, *sa, cfg, 5, 64, c);
  EXPECT_EQ(b.result.protected_count, 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.verdicts[i], ProtectVerdict::Ok);
  EXPECT_EQ(pn_of(b.bufs[2]), 0xFFFFFFFFu);
  EXPECT_EQ(b.verdicts[3], ProtectVerdict::PnExhausted);
  EXPECT_EQ(b.verdicts[4], ProtectVerdict::PnExhausted);
  EXPECT_EQ(b.refs[3].len, 64u);  // untouched length
  EXPECT_TRUE(sa->exhausted());
  EXPECT_EQ(c.tx_pn_exhausted, 2u);
  EXPECT_EQ(sa->counters_sum().tx_pn_exhausted, 2u);
  auto again = run(*engine_, *sa, cfg, 32, 64, c);
  EXPECT_EQ(again.result.protected_count, 0u);
  EXPECT_EQ(c.tx_pn_exhausted, 34u);
  EXPECT_EQ(sa->counters_sum().out_pkts_encrypted, 3u);
}

// docs/keyfile.md: a manual key's transmit SA sends no PN above its durable reservation; it
// drops and counts (TxPnUnreserved) instead, without marking the SA exhausted, and carries on
// once the control plane extends the reservation.
TEST_P(Protect, StopsAtTheReservationAndResumesWhenExtended) {
  TxSaParams p;
  p.suite = CipherSuite::GcmAesXpn128;
  p.an = kTestAn;
  p.sci = kTestSci;
  p.next_pn = 100;
  p.reserved_through = 102;
  p.xpn = test_xpn();
  TxSa sa(p, test_sak(p.suite));
  EXPECT_EQ(sa.reserved_through(), 102u);
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, sa, cfg, 5, 64, c);
  EXPECT_EQ(b.result.protected_count, 3u);
  EXPECT_EQ(pn_of(b.bufs[2]), 102u);
  EXPECT_EQ(b.verdicts[3], ProtectVerdict::PnUnreserved);
  EXPECT_EQ(b.verdicts[4], ProtectVerdict::PnUnreserved);
  EXPECT_EQ(b.refs[3].len, 64u);
  EXPECT_EQ(c.tx_pn_unreserved, 2u);
  EXPECT_EQ(c.tx_pn_exhausted, 0u);
  EXPECT_EQ(sa.counters_sum().tx_pn_unreserved, 2u);
  EXPECT_FALSE(sa.exhausted());
  EXPECT_EQ(sa.next_pn(), 103u);
  sa.extend_reservation(101);  // never lowered
  EXPECT_EQ(sa.reserved_through(), 102u);
  sa.extend_reservation(110);
  auto more = run(*engine_, sa, cfg, 4, 64, c);
  EXPECT_EQ(more.result.protected_count, 4u);
  EXPECT_EQ(pn_of(more.bufs[0]), 103u);
  EXPECT_EQ(c.tx_pn_unreserved, 2u);
  sa.extend_reservation(UINT64_MAX);  // capped at the PN space
  EXPECT_EQ(sa.reserved_through(), max_pn(CipherSuite::GcmAesXpn128));
}

TEST_P(Protect, AReservationAtTheEndOfThePnSpaceIsExhaustion) {
  TxSaParams p;
  p.suite = CipherSuite::GcmAes128;
  p.an = kTestAn;
  p.sci = kTestSci;
  p.next_pn = 0xFFFFFFFEull;
  p.reserved_through = 0xFFFFFFFFull;
  TxSa sa(p, test_sak(p.suite));
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, sa, cfg, 3, 64, c);
  EXPECT_EQ(b.result.protected_count, 2u);
  EXPECT_EQ(b.verdicts[2], ProtectVerdict::PnExhausted);
  EXPECT_EQ(c.tx_pn_exhausted, 1u);
  EXPECT_EQ(c.tx_pn_unreserved, 0u);
  EXPECT_TRUE(sa.exhausted());
}

TEST_P(Protect, XpnExhaustsAtTheTopOfThe64BitSpace) {
  auto sa = make_tx(CipherSuite::GcmAesXpn256, UINT64_MAX - 1);
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, *sa, cfg, 4, 64, c);
  EXPECT_EQ(b.result.protected_count, 2u);
  EXPECT_EQ(pn_of(b.bufs[1]), 0xFFFFFFFFu);
  EXPECT_EQ(b.verdicts[2], ProtectVerdict::PnExhausted);
  EXPECT_TRUE(sa->exhausted());
  EXPECT_EQ(c.tx_pn_exhausted, 2u);
}

TEST_P(Protect, RekeyThresholdSignalledOnce) {
  auto sa = make_tx(CipherSuite::GcmAes128, 90, /*threshold=*/100);
  EXPECT_EQ(sa->rekey_threshold(), 100u);
  SecyConfig cfg;
  SecyCounters c;
  EXPECT_FALSE(run(*engine_, *sa, cfg, 10, 64, c).result.threshold_crossed);  // PN 90..99
  EXPECT_FALSE(sa->threshold_reached());
  EXPECT_TRUE(run(*engine_, *sa, cfg, 1, 64, c).result.threshold_crossed);  // PN 100
  EXPECT_TRUE(sa->threshold_reached());
  EXPECT_FALSE(run(*engine_, *sa, cfg, 5, 64, c).result.threshold_crossed);
  EXPECT_TRUE(sa->threshold_reached());
  EXPECT_EQ(make_tx(CipherSuite::GcmAes128, 1)->rekey_threshold(), 0xC0000000ull);
  EXPECT_EQ(make_tx(CipherSuite::GcmAesXpn128, 1)->rekey_threshold(), 0xC000000000000000ull);
  auto crossing = make_tx(CipherSuite::GcmAes128, 0xBFFFFFF0ull);
  EXPECT_TRUE(run(*engine_, *crossing, cfg, 32, 64, c).result.threshold_crossed);
}

TEST_P(Protect, LengthLimits) {
  auto sa = make_tx(CipherSuite::GcmAesXpn256, 1);
  SecyConfig cfg;
  SecyCounters c;
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, kMaxPlainFrameLen, c).verdicts[0], ProtectVerdict::Ok);
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, kMaxPlainFrameLen + 1, c).verdicts[0],
            ProtectVerdict::TooLong);
  EXPECT_EQ(c.out_pkts_too_long, 1u);
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, kMinPlainFrameLen, c).verdicts[0], ProtectVerdict::Ok);
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, kMinPlainFrameLen - 1, c).verdicts[0],
            ProtectVerdict::TooShort);
  EXPECT_EQ(c.tx_too_short, 1u);
  cfg.max_protected_len = 1500;
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, 1468, c).verdicts[0], ProtectVerdict::Ok);
  EXPECT_EQ(run(*engine_, *sa, cfg, 1, 1469, c).verdicts[0], ProtectVerdict::TooLong);
  EXPECT_EQ(c.out_pkts_too_long, 2u);
  // Refused frames consume no PN.
  EXPECT_EQ(sa->next_pn(), 4u);
  count_tx_no_sa(7, c);
  EXPECT_EQ(c.tx_no_sa, 7u);
}

TEST_P(Protect, LongBurstsAreSplitAndNumberedConsecutively) {
  auto sa = make_tx(CipherSuite::GcmAes128, 1000);
  SecyConfig cfg;
  SecyCounters c;
  auto b = run(*engine_, *sa, cfg, 100, 80, c);
  EXPECT_EQ(b.result.protected_count, 100u);
  for (uint32_t i = 0; i < 100; ++i) EXPECT_EQ(pn_of(b.bufs[i]), 1000 + i);
  std::vector<FrameRef> none;
  std::vector<ProtectVerdict> nv;
  EXPECT_EQ(protect_burst(*engine_, *sa, cfg, none.data(), 0, nv.data(), c).protected_count, 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, Protect, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
