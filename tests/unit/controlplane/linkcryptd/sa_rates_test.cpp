// SaRateSampler: per-SA pps, bit/s and PN rate from two samples; a new SA in the same AN starts over.
#include "sa_rates.h"

#include <gtest/gtest.h>

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

dpdk::SaReport report(uint64_t next_pn, uint64_t packets, uint64_t octets) {
  dpdk::SaReport r;
  dpdk::TxSaReport t{};
  t.an = 1;
  t.suite = secy::CipherSuite::GcmAes128;
  t.active = true;
  t.next_pn = next_pn;
  t.counters.out_pkts_encrypted = packets;
  t.counters.out_octets_encrypted = octets;
  r.tx.push_back(t);
  dpdk::RxSaReport x{};
  x.sci = 0x020000000b000001ull;
  x.an = 2;
  x.suite = secy::CipherSuite::GcmAes128;
  x.next_pn = next_pn;
  x.counters.in_pkts_ok = packets / 2;
  x.counters.in_octets_decrypted = octets / 2;
  r.rx_sa.push_back(x);
  return r;
}

TEST(SaRateSampler, RatesAreCounterDifferencesOverTheSampleInterval) {
  SaRateSampler s;
  const auto t0 = Clock::now();
  EXPECT_FALSE(s.tx(1).pps);  // never sampled
  s.sample(report(101, 100, 100000), t0);
  EXPECT_FALSE(s.tx(1).pps) << "one sample gives no rate";
  EXPECT_EQ(s.tx(1).pn_per_s, 0.0);

  s.sample(report(301, 300, 300000), t0 + 2s);
  EXPECT_DOUBLE_EQ(s.tx(1).pn_per_s, 100.0);
  EXPECT_DOUBLE_EQ(*s.tx(1).pps, 100.0);
  EXPECT_DOUBLE_EQ(*s.tx(1).bps, 800000.0);  // 100000 octets/s as bits
  EXPECT_DOUBLE_EQ(*s.rx(0x020000000b000001ull, 2).pps, 50.0);
  EXPECT_DOUBLE_EQ(*s.rx(0x020000000b000001ull, 2).bps, 400000.0);
  EXPECT_FALSE(s.rx(0x020000000b000001ull, 1).pps);  // another AN: unknown

  // Too soon after the previous sample: the rate stays.
  s.sample(report(305, 304, 300400), t0 + 2s + 10ms);
  EXPECT_DOUBLE_EQ(*s.tx(1).pps, 100.0);

  // Idle: zero, not unknown.
  s.sample(report(51, 50, 5000), t0 + 3s);  // counters went down: a new SA took the AN
  EXPECT_FALSE(s.tx(1).pps) << "a new SA starts over";
  s.sample(report(51, 50, 5000), t0 + 4s);
  EXPECT_DOUBLE_EQ(*s.tx(1).pps, 0.0);
  EXPECT_DOUBLE_EQ(*s.tx(1).bps, 0.0);
}

}  // namespace
}  // namespace linkcrypt::daemon
