// SaControl: install/switch/retire SAs through RCU snapshots, with real protect/validate on real frames.
#include "sa_control.h"

#include "protect.h"
#include "validate.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace linkcrypt::dpdk {
namespace {

constexpr secy::Sci kSciA = 0x020000000a000001ull;
constexpr secy::Sci kSciB = 0x020000000b000001ull;
const std::array<uint8_t, 16> kSak0 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
const std::array<uint8_t, 16> kSak1 = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};

secy::TxSaParams tx_params(uint8_t an) {
  secy::TxSaParams p;
  p.suite = secy::CipherSuite::GcmAes128;
  p.an = an;
  p.sci = kSciA;
  return p;
}
secy::RxSaParams rx_params(uint8_t an) {
  secy::RxSaParams p;
  p.suite = secy::CipherSuite::GcmAes128;
  p.an = an;
  return p;
}

// A frame buffer laid out for in-place protect: SecTAG room, plain frame, ICV room.
struct Frame {
  std::vector<uint8_t> buf;
  secy::FrameRef ref;
};
Frame plain_frame(uint8_t fill) {
  Frame f;
  f.buf.assign(16 + 60 + 16, 0);
  for (size_t i = 0; i < 60; ++i) f.buf[16 + i] = static_cast<uint8_t>(fill + i);
  f.buf[16 + 12] = 0x08;
  f.buf[16 + 13] = 0x00;
  f.ref = {f.buf.data(), 60};
  return f;
}

class SaControlTest : public ::testing::Test {
 protected:
  SaControlTest() : rcu_(1), sa_(rcu_, secy::SecyConfig{}), engine_(secy::make_engine(secy::EngineKind::OpenSsl, 0)) {}

  // Protects with whatever the current snapshot says; returns the verdict (or nullopt: no SA).
  std::optional<secy::ProtectVerdict> protect(Frame& f) {
    const SaTables* t = sa_.load();
    if (t->tx_active == nullptr) return std::nullopt;
    secy::ProtectVerdict v;
    (void)secy::protect_burst(*engine_, *t->tx_active, t->cfg, &f.ref, 1, &v, secy_counters_);
    return v;
  }
  secy::RxVerdict validate(std::vector<uint8_t> wire) {
    const SaTables* t = sa_.load();
    secy::FrameRef ref{wire.data(), static_cast<uint32_t>(wire.size())};
    secy::ValidateResult r;
    (void)secy::validate_burst(*engine_, *t->rx, t->cfg, &ref, 1, &r, secy_counters_);
    return r.verdict;
  }
  static std::vector<uint8_t> wire_of(const Frame& f) { return {f.ref.data, f.ref.data + f.ref.len}; }

  RcuDomain rcu_;
  SaControl sa_;
  std::unique_ptr<secy::CipherEngine> engine_;
  secy::SecyCounters secy_counters_;
};

TEST_F(SaControlTest, StartsWithoutAnySaSoNothingIsProtected) {
  Frame f = plain_frame(1);
  EXPECT_FALSE(protect(f).has_value());  // must-secure: the worker drops and counts TxNoSa
  EXPECT_EQ(sa_.load()->rx->size(), 0u);
  EXPECT_TRUE(sa_.report().tx.empty());
}

TEST_F(SaControlTest, InstalledTxSaCarriesTrafficOnlyOnceActive) {
  sa_.install_tx_sa(tx_params(0), kSak0, /*activate=*/false);
  Frame f = plain_frame(1);
  EXPECT_FALSE(protect(f).has_value());
  EXPECT_TRUE(sa_.switch_tx_an(0));
  EXPECT_EQ(protect(f), secy::ProtectVerdict::Ok);
  EXPECT_EQ(f.ref.len, 60u + 32u);
  EXPECT_FALSE(sa_.switch_tx_an(2));  // nothing installed there
  EXPECT_EQ(sa_.load()->tx_active->an(), 0);
}

TEST_F(SaControlTest, ProtectedFrameValidatesAgainstTheMatchingRxSa) {
  sa_.install_tx_sa(tx_params(0), kSak0, true);
  sa_.install_rx_sa(kSciA, rx_params(0), kSak0);
  Frame f = plain_frame(7);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  EXPECT_EQ(validate(wire_of(f)), secy::RxVerdict::Ok);
  const SaReport r = sa_.report();
  ASSERT_EQ(r.rx_sa.size(), 1u);
  EXPECT_EQ(r.rx_sa[0].counters.in_pkts_ok, 1u);
  ASSERT_EQ(r.tx.size(), 1u);
  EXPECT_EQ(r.tx[0].counters.out_pkts_encrypted, 1u);
  EXPECT_TRUE(r.tx[0].active);
}

TEST_F(SaControlTest, RebuildingTheRxTableKeepsReplayStateAndCounters) {
  sa_.install_tx_sa(tx_params(0), kSak0, true);
  sa_.install_rx_sa(kSciA, rx_params(0), kSak0);
  Frame f = plain_frame(3);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  const auto wire = wire_of(f);
  ASSERT_EQ(validate(wire), secy::RxVerdict::Ok);
  const secy::RxSa* before = sa_.load()->rx->find(kSciA)->sa(0);

  // Another SA on the same SC: a new snapshot, which SHARES the RxSa object for AN 0, so its
  // replay state is never copied and no swap can open a window for a replay.
  const SaTables* old_table = sa_.load();
  sa_.install_rx_sa(kSciA, rx_params(1), kSak1);
  ASSERT_NE(sa_.load(), old_table);
  const secy::RxSa* after = sa_.load()->rx->find(kSciA)->sa(0);
  EXPECT_EQ(before, after);
  EXPECT_EQ(after->next_pn(), 2u);                         // 10.6.5 nextPN unchanged
  EXPECT_EQ(validate(wire), secy::RxVerdict::Late);        // so the replay is refused
  const SaReport r = sa_.report();
  ASSERT_EQ(r.rx_sa.size(), 2u);
  EXPECT_EQ(r.rx_sa[0].counters.in_pkts_ok, 1u);          // counters live on in the same object
  EXPECT_EQ(r.rx_sa[0].counters.in_pkts_late, 1u);
  ASSERT_EQ(r.rx_sc.size(), 1u);
  EXPECT_EQ(r.rx_sc[0].counters.sa_sum.in_pkts_ok, 1u);
  EXPECT_EQ(r.rx_sc[0].counters.sa_sum.in_pkts_late, 1u);
}

TEST_F(SaControlTest, ReplacingAnRxSaStartsAFreshReplayStateButKeepsScTotals) {
  sa_.install_tx_sa(tx_params(0), kSak0, true);
  sa_.install_rx_sa(kSciA, rx_params(0), kSak0);
  Frame f = plain_frame(5);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  ASSERT_EQ(validate(wire_of(f)), secy::RxVerdict::Ok);
  sa_.install_rx_sa(kSciA, rx_params(0), kSak1);  // new key under AN 0
  EXPECT_EQ(sa_.load()->rx->find(kSciA)->sa(0)->next_pn(), 1u);
  EXPECT_EQ(validate(wire_of(f)), secy::RxVerdict::NotValid);  // wrong key now
  const SaReport r = sa_.report();
  ASSERT_EQ(r.rx_sa.size(), 1u);
  EXPECT_EQ(r.rx_sa[0].counters.in_pkts_ok, 0u);
  EXPECT_EQ(r.rx_sa[0].counters.in_pkts_not_valid, 1u);
  ASSERT_EQ(r.rx_sc.size(), 1u);
  EXPECT_EQ(r.rx_sc[0].counters.sa_sum.in_pkts_ok, 1u);  // the old SA's count is not lost
}

TEST_F(SaControlTest, RetiringTheLastRxSaRemovesTheSc) {
  sa_.install_rx_sa(kSciA, rx_params(0), kSak0);
  sa_.install_rx_sa(kSciB, rx_params(2), kSak1);
  EXPECT_EQ(sa_.load()->rx->size(), 2u);
  sa_.retire_rx_sa(kSciA, 0);
  EXPECT_EQ(sa_.load()->rx->size(), 1u);
  EXPECT_EQ(sa_.load()->rx->find(kSciA), nullptr);
  ASSERT_NE(sa_.load()->rx->find(kSciB), nullptr);
  EXPECT_NE(sa_.load()->rx->find(kSciB)->sa(2), nullptr);
  sa_.retire_rx_sa(kSciA, 0);  // already gone: no-op
  EXPECT_EQ(sa_.load()->rx->size(), 1u);
}

TEST_F(SaControlTest, RetiringTheActiveTxSaStopsTransmission) {
  sa_.install_tx_sa(tx_params(1), kSak0, true);
  Frame f = plain_frame(1);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  sa_.retire_tx_sa(1);
  Frame g = plain_frame(2);
  EXPECT_FALSE(protect(g).has_value());
  const SaReport r = sa_.report();
  EXPECT_TRUE(r.tx.empty());
  EXPECT_EQ(r.tx_sc.out_pkts_encrypted, 1u);  // the retired SA still counts in the SC total
}

TEST_F(SaControlTest, SwitchingAnKeepsEachSaPnSequence) {
  sa_.install_tx_sa(tx_params(0), kSak0, true);
  auto p1 = tx_params(1);
  p1.next_pn = 100;
  sa_.install_tx_sa(p1, kSak1, false);
  Frame f = plain_frame(1);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  ASSERT_TRUE(sa_.switch_tx_an(1));
  Frame g = plain_frame(2);
  ASSERT_EQ(protect(g), secy::ProtectVerdict::Ok);
  EXPECT_EQ(g.ref.data[14] & 0x03, 1);  // AN 1 in the TCI
  ASSERT_TRUE(sa_.switch_tx_an(0));
  Frame h = plain_frame(3);
  ASSERT_EQ(protect(h), secy::ProtectVerdict::Ok);
  const SaReport r = sa_.report();
  ASSERT_EQ(r.tx.size(), 2u);
  EXPECT_EQ(r.tx[0].next_pn, 3u);    // AN 0 used PN 1 and 2: the TxSa object was shared, not copied
  EXPECT_EQ(r.tx[1].next_pn, 101u);
}

// The keying controller's make-before-break sequence, rotation after rotation (AN 0..3 and round
// again). Each SaControl call publishes exactly one snapshot, so checking after each call checks
// every snapshot a worker can ever load: none is without a transmit SA (a TxNoSa drop).
TEST_F(SaControlTest, RotationPublishesNoSnapshotWithoutATransmitSa) {
  sa_.install_rx_sa(kSciA, rx_params(0), kSak0);
  sa_.install_tx_sa(tx_params(0), kSak0, true);
  const auto expect_transmits = [&](const char* step, int rotation) {
    Frame f = plain_frame(static_cast<uint8_t>(rotation));
    EXPECT_EQ(protect(f), secy::ProtectVerdict::Ok) << step << ", rotation " << rotation;
  };
  for (int rotation = 1; rotation <= 8; ++rotation) {
    const auto an = static_cast<uint8_t>(rotation % 4);
    const auto old_an = static_cast<uint8_t>((rotation + 3) % 4);
    const auto& sak = rotation % 2 ? kSak1 : kSak0;
    sa_.install_rx_sa(kSciA, rx_params(an), sak);
    expect_transmits("install_rx", rotation);
    sa_.install_tx_sa(tx_params(an), sak, /*activate=*/false);
    expect_transmits("install_tx", rotation);
    ASSERT_TRUE(sa_.switch_tx_an(an));
    expect_transmits("switch_tx", rotation);
    EXPECT_EQ(sa_.load()->tx_active->an(), an);
    sa_.retire_tx_sa(old_an);
    expect_transmits("retire_tx", rotation);
    sa_.retire_rx_sa(kSciA, old_an);
    expect_transmits("retire_rx", rotation);
  }
  EXPECT_EQ(sa_.report().tx.size(), 1u);
}

TEST_F(SaControlTest, PnThresholdSignal) {
  auto p = tx_params(0);
  p.next_pn = 10;
  p.rekey_threshold = 11;
  sa_.install_tx_sa(p, kSak0, true);
  Frame f = plain_frame(1);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);  // PN 10
  EXPECT_FALSE(sa_.tx_threshold_reached());
  Frame g = plain_frame(2);
  ASSERT_EQ(protect(g), secy::ProtectVerdict::Ok);  // PN 11
  EXPECT_TRUE(sa_.tx_threshold_reached());
}

TEST_F(SaControlTest, ExhaustedTxSaNeverWraps) {
  auto p = tx_params(0);
  p.next_pn = 0xFFFFFFFFull;
  sa_.install_tx_sa(p, kSak0, true);
  Frame f = plain_frame(1);
  ASSERT_EQ(protect(f), secy::ProtectVerdict::Ok);
  Frame g = plain_frame(2);
  EXPECT_EQ(protect(g), secy::ProtectVerdict::PnExhausted);
  EXPECT_TRUE(sa_.tx_exhausted());
}

TEST_F(SaControlTest, BadParametersChangeNothing) {
  EXPECT_THROW(sa_.install_tx_sa(tx_params(4), kSak0, true), std::invalid_argument);
  EXPECT_THROW(sa_.install_rx_sa(kSciA, rx_params(5), kSak0), std::invalid_argument);
  const std::array<uint8_t, 5> short_sak{};
  EXPECT_THROW(sa_.install_rx_sa(kSciA, rx_params(0), short_sak), std::invalid_argument);
  EXPECT_EQ(sa_.load()->rx->size(), 0u);
  EXPECT_EQ(sa_.load()->tx_active, nullptr);
}

TEST_F(SaControlTest, ConfigChangeIsPublished) {
  secy::SecyConfig cfg;
  cfg.validate_frames = secy::ValidateFrames::Check;
  cfg.replay_window = 64;
  sa_.set_config(cfg);
  EXPECT_EQ(sa_.load()->cfg.validate_frames, secy::ValidateFrames::Check);
  EXPECT_EQ(sa_.load()->cfg.replay_window, 64u);
}

}  // namespace
}  // namespace linkcrypt::dpdk
