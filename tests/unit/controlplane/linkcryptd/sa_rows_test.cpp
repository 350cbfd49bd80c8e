// `sa` rows report what the SecY holds: lowest_pn is the receive SA's own 10.6.2 lowestPN (the
// replay window and the KaY's floor applied), PN headroom is the suite's, XPN or not.
#include "sa_rows.h"

#include <gtest/gtest.h>

#include <array>

namespace linkcrypt::daemon {
namespace {

constexpr secy::Sci kPeerSci = 0x020000000b000001ull;
constexpr secy::Sci kOurSci = 0x020000000a000001ull;
constexpr uint32_t kWindow = 64;
const std::array<uint8_t, 32> kSak = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

class SaRowsTest : public ::testing::Test {
 protected:
  SaRowsTest() : rcu_(1), sa_(rcu_, config()) {}
  static secy::SecyConfig config() {
    secy::SecyConfig c;
    c.replay_window = kWindow;
    return c;
  }
  // The receive SA exactly as the SecY checks frames with it.
  secy::RxSa& rx_sa(uint8_t an) { return *sa_.load()->rx->at(0).sa(an); }
  api::SaRow rx_row() {
    const auto rep = sa_.report();
    EXPECT_EQ(rep.rx_sa.size(), 1u);
    return rx_sa_row(rep.rx_sa.at(0), nullptr, SaRates{}, std::chrono::steady_clock::now());
  }

  dpdk::RcuDomain rcu_;
  dpdk::SaControl sa_;
};

TEST_F(SaRowsTest, LowestPnIsTheSecysOwnWithTheKaysFloor) {
  secy::RxSaParams p;
  p.suite = secy::CipherSuite::GcmAes128;
  p.an = 2;
  p.lowest_pn = 5000;  // the KaY's floor (10.7.22)
  sa_.install_rx_sa(kPeerSci, p, std::span(kSak).first(16));
  rx_sa(2).raise_next_pn(5010);
  // nextPN - window would be 4946; the floor wins, and that is what frames are checked against.
  api::SaRow row = rx_row();
  ASSERT_TRUE(row.lowest_pn);
  EXPECT_EQ(*row.lowest_pn, rx_sa(2).lowest_pn(kWindow));
  EXPECT_EQ(*row.lowest_pn, 5000u);
  EXPECT_EQ(row.next_pn, 5010u);

  // Past the floor, the window decides.
  rx_sa(2).raise_next_pn(100000);
  row = rx_row();
  EXPECT_EQ(*row.lowest_pn, rx_sa(2).lowest_pn(kWindow));
  EXPECT_EQ(*row.lowest_pn, 100000u - kWindow);

  // The KaY raises its floor: the report follows the SA.
  rx_sa(2).set_lowest_pn(200000);
  row = rx_row();
  EXPECT_EQ(*row.lowest_pn, rx_sa(2).lowest_pn(kWindow));
  EXPECT_EQ(*row.lowest_pn, 200000u);

  EXPECT_EQ(row.direction, "rx");
  EXPECT_EQ(row.an, 2);
  EXPECT_EQ(row.sci, "020000000b000001");
  EXPECT_EQ(row.suite, "gcm-aes-128");
  EXPECT_EQ(row.next_pn, rx_sa(2).next_pn());
  EXPECT_EQ(row.pn_headroom, secy::pn_headroom(secy::CipherSuite::GcmAes128, rx_sa(2).next_pn()));
  EXPECT_FALSE(row.threshold_reached);
  EXPECT_FALSE(row.key_id);
}

TEST_F(SaRowsTest, TransmitRowsTakeHeadroomFromTheTypedSuite) {
  for (auto suite : {secy::CipherSuite::GcmAes256, secy::CipherSuite::GcmAesXpn256}) {
    secy::TxSaParams p;
    p.suite = suite;
    p.an = 1;
    p.sci = kOurSci;
    p.next_pn = 0xFFFFFF00ull;
    sa_.install_tx_sa(p, kSak, /*activate=*/true);
    const auto rep = sa_.report();
    ASSERT_EQ(rep.tx.size(), 1u);
    keying::SaEntry entry;
    entry.tx = true;
    entry.an = 1;
    entry.key_id = 0xabcdef;
    const auto now = std::chrono::steady_clock::now();
    entry.installed = now - std::chrono::seconds(7);
    const api::SaRow row = tx_sa_row(rep.tx[0], &entry, SaRates{1000.0, 990.0, 1.2e6}, now);
    const uint64_t headroom = secy::is_xpn(suite) ? UINT64_MAX - 0xFFFFFEFFull : 0x100u;
    EXPECT_EQ(row.pn_headroom, headroom) << secy::cipher_suite_name(suite);
    EXPECT_EQ(row.suite, secy::cipher_suite_name(suite));
    EXPECT_DOUBLE_EQ(*row.time_to_exhaustion_s, static_cast<double>(headroom) / 1000.0);
    EXPECT_EQ(row.rate_pps, 990.0);
    EXPECT_EQ(row.rate_bps, 1.2e6);
    EXPECT_EQ(row.key_id, "0000000000abcdef");
    EXPECT_EQ(row.age_s, 7u);
    EXPECT_EQ(row.state, "active");
    EXPECT_EQ(row.threshold_reached, false);
    EXPECT_FALSE(row.lowest_pn);
    sa_.retire_tx_sa(1);
  }
}

}  // namespace
}  // namespace linkcrypt::daemon
