// Per-SA rates (PNs, packets and bit/s per second) from the SecY's counters, sampled by the
// event loop about once a second, so that `sa` shows current rates from its first query on.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "sa_control.h"

namespace linkcrypt::daemon {

struct SaRates {
  double pn_per_s = 0;             // 0 before two samples (no time to exhaustion then)
  std::optional<double> pps;       // null before two samples of this SA
  std::optional<double> bps;       // user data bits per second
};

class SaRateSampler {
 public:
  using Clock = std::chrono::steady_clock;
  // One sample of every SA in the report; rates are over the interval since the previous one.
  void sample(const dpdk::SaReport& report, Clock::time_point now);
  [[nodiscard]] SaRates tx(uint8_t an) const;
  [[nodiscard]] SaRates rx(uint64_t sci, uint8_t an) const;

 private:
  struct Sample {
    Clock::time_point at;
    uint64_t next_pn = 0;
    uint64_t packets = 0;
    uint64_t octets = 0;
    SaRates rates;
  };
  static void update(Sample& s, Clock::time_point now, uint64_t next_pn, uint64_t packets, uint64_t octets);

  std::map<uint8_t, Sample> tx_;
  std::map<std::pair<uint64_t, uint8_t>, Sample> rx_;
};

}  // namespace linkcrypt::daemon
