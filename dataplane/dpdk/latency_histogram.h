// LatencyHistogram: per-lcore log-linear histogram of the time frames spend inside a worker.
//
// The worker already reads the TSC when a burst comes back from rx_burst and again just before
// tx_burst (the per-stage cycle counters); the difference is every frame of that burst's time in
// the worker, so recording it costs one bucket index and one add per BURST, no extra TSC read.
// Log-linear (HdrHistogram style): 8 linear sub-buckets per power of two, so any value is known
// to within 12.5 %, from 1 cycle to 2^64 in 496 buckets. No allocation (a fixed array inside the
// lcore's WorkerCounters), no locks (one writer; readers sum copies, as for every counter).
#pragma once

#include <cstdint>

namespace linkcrypt::dpdk {

struct LatencyHistogram {
  static constexpr uint32_t kSubBits = 3;  // 2^3 sub-buckets per power of two
  static constexpr uint32_t kSub = 1u << kSubBits;
  static constexpr uint32_t kBuckets = (64 - kSubBits + 1) * kSub;

  uint64_t frames[kBuckets] = {};

  // The bucket of a value: values below 8 have their own; above, the power of two and the next
  // three bits below the leading one.
  [[nodiscard]] static constexpr uint32_t index(uint64_t v) {
    if (v < kSub) return static_cast<uint32_t>(v);
    const uint32_t msb = 63u - static_cast<uint32_t>(__builtin_clzll(v));
    return (msb - kSubBits + 1) * kSub + static_cast<uint32_t>((v >> (msb - kSubBits)) & (kSub - 1));
  }
  // The smallest and largest value of a bucket.
  [[nodiscard]] static constexpr uint64_t lowest(uint32_t i) {
    if (i < kSub) return i;
    const uint32_t msb = i / kSub + kSubBits - 1;
    return (uint64_t{kSub} + i % kSub) << (msb - kSubBits);
  }
  [[nodiscard]] static constexpr uint64_t highest(uint32_t i) {
    if (i < kSub) return i;
    const uint32_t msb = i / kSub + kSubBits - 1;
    return lowest(i) + ((uint64_t{1} << (msb - kSubBits)) - 1);
  }

  void add(uint64_t cycles, uint64_t n) { frames[index(cycles)] += n; }

  [[nodiscard]] uint64_t total() const {
    uint64_t t = 0;
    for (uint64_t f : frames) t += f;
    return t;
  }
  // The value below which a fraction q (0 < q <= 1) of the frames lies, as the upper edge of
  // its bucket (so never understated). 0 when empty.
  [[nodiscard]] uint64_t quantile(double q) const {
    const uint64_t n = total();
    if (n == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(n));
    if (static_cast<double>(rank) < q * static_cast<double>(n)) ++rank;  // ceil
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < kBuckets; ++i) {
      seen += frames[i];
      if (seen >= rank) return highest(i);
    }
    return highest(kBuckets - 1);
  }

  // quantile() in nanoseconds, for a TSC of `tsc_hz` (0: unknown, returns 0).
  [[nodiscard]] uint64_t quantile_ns(double q, uint64_t tsc_hz) const {
    if (tsc_hz == 0) return 0;
    return static_cast<uint64_t>(static_cast<double>(quantile(q)) * 1e9 / static_cast<double>(tsc_hz) + 0.5);
  }

  LatencyHistogram& operator+=(const LatencyHistogram& o) {
    for (uint32_t i = 0; i < kBuckets; ++i) frames[i] += o.frames[i];
    return *this;
  }
};

static_assert(LatencyHistogram::index(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
static_assert(LatencyHistogram::index(8) == 8 && LatencyHistogram::index(15) == 15);
static_assert(LatencyHistogram::lowest(LatencyHistogram::index(1000)) <= 1000 &&
              LatencyHistogram::highest(LatencyHistogram::index(1000)) >= 1000);

}  // namespace linkcrypt::dpdk
