// LatencyHistogram: bucket edges cover every value with no gap, quantiles never understate and
// stay within one sub-bucket (12.5 %), per-lcore blocks sum.
#include <gtest/gtest.h>

#include "latency_histogram.h"

namespace linkcrypt::dpdk {
namespace {

TEST(LatencyHistogram, BucketsAreContiguousAndContainTheirValues) {
  for (uint32_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
    ASSERT_EQ(LatencyHistogram::highest(i) + 1, LatencyHistogram::lowest(i + 1)) << i;
  }
  for (uint64_t v : {0ull, 1ull, 7ull, 8ull, 9ull, 15ull, 16ull, 1000ull, 123456789ull, 1ull << 40,
                     (1ull << 63) + 5, ~0ull}) {
    const uint32_t i = LatencyHistogram::index(v);
    EXPECT_LE(LatencyHistogram::lowest(i), v) << v;
    EXPECT_GE(LatencyHistogram::highest(i), v) << v;
    // Log-linear: a bucket is at most 1/8 of its lowest value wide.
    if (v >= 8) {
      EXPECT_LE(LatencyHistogram::highest(i) - LatencyHistogram::lowest(i), LatencyHistogram::lowest(i) / 8) << v;
    }
  }
}

TEST(LatencyHistogram, QuantilesOfKnownSamples) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), 0u);  // empty
  h.add(1000, 990);                // 99 % of frames took 1000 cycles
  h.add(50000, 9);                 // 0.9 % took 50000
  h.add(2000000, 1);               // one took 2 M
  EXPECT_EQ(h.total(), 1000u);
  const auto near = [](uint64_t got, uint64_t want) { return got >= want && got <= want + want / 8; };
  EXPECT_TRUE(near(h.quantile(0.5), 1000)) << h.quantile(0.5);
  EXPECT_TRUE(near(h.quantile(0.99), 1000)) << h.quantile(0.99);
  EXPECT_TRUE(near(h.quantile(0.999), 50000)) << h.quantile(0.999);
  EXPECT_TRUE(near(h.quantile(1.0), 2000000)) << h.quantile(1.0);
  // 1000 cycles at 2 GHz: 500 ns (upper bucket edge, within 12.5 %).
  EXPECT_GE(h.quantile_ns(0.5, 2000000000), 500u);
  EXPECT_LE(h.quantile_ns(0.5, 2000000000), 563u);
  EXPECT_EQ(h.quantile_ns(0.5, 0), 0u);
}

TEST(LatencyHistogram, PerLcoreBlocksSum) {
  LatencyHistogram a, b;
  a.add(100, 3);
  b.add(100, 4);
  b.add(7, 1);
  a += b;
  EXPECT_EQ(a.total(), 8u);
  EXPECT_EQ(a.frames[LatencyHistogram::index(100)], 7u);
  EXPECT_EQ(a.quantile(0.1), 7u);
}

}  // namespace
}  // namespace linkcrypt::dpdk
