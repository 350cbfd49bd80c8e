// Timing for the benchmark: warm up, repeat, take the median; only the timed passes are counted.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace linkcrypt::bench {

struct MeasureConfig {
  uint32_t reps = 5;        // median of this many repetitions
  uint32_t min_ms = 100;    // each repetition runs passes until this much timed work
};

struct Rate {
  double frames_per_s = 0;
  double octets_per_s = 0;
};

// prepare() runs before every pass, untimed (restoring the buffers the pass consumes);
// pass() is the timed work over `frames` frames and `octets` plain octets.
template <typename Prepare, typename Pass>
Rate measure(const MeasureConfig& cfg, uint64_t frames, uint64_t octets, Prepare&& prepare,
             Pass&& pass) {
  using Clock = std::chrono::steady_clock;
  const auto min_ns = std::chrono::nanoseconds(std::chrono::milliseconds(cfg.min_ms)).count();
  std::vector<double> fps;
  // Repetition 0 is the warm-up (caches, branch predictors, CPU frequency) and is discarded.
  for (uint32_t rep = 0; rep <= cfg.reps; ++rep) {
    int64_t timed_ns = 0;
    uint64_t passes = 0;
    while (timed_ns < min_ns) {
      prepare();
      const auto t0 = Clock::now();
      pass();
      const auto t1 = Clock::now();
      timed_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      ++passes;
    }
    if (rep > 0) fps.push_back(double(passes * frames) * 1e9 / double(timed_ns));
  }
  std::sort(fps.begin(), fps.end());
  const double median = fps[fps.size() / 2];
  return Rate{median, median * double(octets) / double(frames)};
}

}  // namespace linkcrypt::bench
