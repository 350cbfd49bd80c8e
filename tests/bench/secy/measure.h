// Timing for the benchmark: contenders measured interleaved, repeated, medians of rates and ratios.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace linkcrypt::bench {

struct MeasureConfig {
  uint32_t reps = 7;        // median of this many repetitions
  uint32_t min_ms = 50;     // each repetition runs each contender's passes until this much timed work
};

// One thing being measured over the same buffers: prepare() runs before every pass, untimed
// (restoring the buffers the pass consumes); pass() is the timed work.
struct Contender {
  std::function<void()> prepare;
  std::function<void()> pass;
};

struct Result {
  double frames_per_s = 0;   // median over repetitions
  double octets_per_s = 0;
  double ratio = 1;          // median over repetitions of (this / contender 0) measured in that repetition
  double ratio_min = 1;
  double ratio_max = 1;
};

namespace detail {
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace detail

// Within each repetition every contender runs back to back, so load from other processes on a
// shared machine hits the limit and the SecY alike and the per-repetition ratio stays honest.
// A repetition's rate is frames per pass / median pass time (a pass is the whole pool).
// Repetition 0 is the warm-up (caches, branch predictors, CPU frequency) and is discarded.
inline std::vector<Result> measure(const MeasureConfig& cfg, uint64_t frames, uint64_t octets,
                                   const std::vector<Contender>& contenders) {
  using Clock = std::chrono::steady_clock;
  const int64_t min_ns = int64_t{cfg.min_ms} * 1000000;
  const size_t n = contenders.size();
  std::vector<std::vector<double>> fps(n);
  for (uint32_t rep = 0; rep <= cfg.reps; ++rep) {
    for (size_t c = 0; c < n; ++c) {
      int64_t timed_ns = 0;
      std::vector<double> pass_ns;
      while (timed_ns < min_ns) {
        contenders[c].prepare();
        const auto t0 = Clock::now();
        contenders[c].pass();
        const auto t1 = Clock::now();
        const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
        timed_ns += ns;
        pass_ns.push_back(double(ns));
      }
      // The median pass, not the mean: a pass during which the scheduler ran another process
      // on this core (the build machines are shared) would otherwise count as slow crypto.
      if (rep > 0) fps[c].push_back(double(frames) * 1e9 / detail::median(pass_ns));
    }
  }
  std::vector<Result> out(n);
  for (size_t c = 0; c < n; ++c) {
    std::vector<double> ratios;
    for (size_t r = 0; r < fps[c].size(); ++r) ratios.push_back(fps[c][r] / fps[0][r]);
    out[c].frames_per_s = detail::median(fps[c]);
    out[c].octets_per_s = out[c].frames_per_s * double(octets) / double(frames);
    out[c].ratio = detail::median(ratios);
    out[c].ratio_min = *std::min_element(ratios.begin(), ratios.end());
    out[c].ratio_max = *std::max_element(ratios.begin(), ratios.end());
  }
  return out;
}

}  // namespace linkcrypt::bench
