// A token bucket on a caller-supplied clock (TSC cycles): no syscalls, no floating point.
#pragma once

#include <algorithm>
#include <cstdint>

namespace linkcrypt::kxclass {

// Admits `rate` events per second on average and bursts of up to `burst`. Tokens are kept in
// units of 1/rate of a tick-second: one event costs `ticks_per_s`, each elapsed tick earns `rate`
// units, so all the arithmetic is exact integers. Single-threaded (one per worker lcore).
class TokenBucket {
 public:
  TokenBucket() = default;
  // rate 0: admits nothing. ticks_per_s: the clock's frequency (rte_get_tsc_hz()).
  TokenBucket(uint32_t rate, uint32_t burst, uint64_t ticks_per_s, uint64_t now)
      : rate_(rate), ticks_per_s_(ticks_per_s == 0 ? 1 : ticks_per_s), last_(now) {
    capacity_ = static_cast<uint64_t>(std::max<uint32_t>(burst, 1)) * ticks_per_s_;
    units_ = capacity_;
    // Beyond this many ticks the bucket is full whatever it held: capping the elapsed time
    // first keeps elapsed * rate far below 2^64 (burst, rate <= 2^32 and a GHz clock).
    full_after_ = rate_ == 0 ? 0 : capacity_ / rate_ + 1;
  }

  [[nodiscard]] bool take(uint64_t now) {
    if (rate_ == 0) return false;
    if (now > last_) {  // a clock seen going backwards earns nothing until it passes last_
      const uint64_t earned = std::min(now - last_, full_after_) * rate_;
      units_ = std::min(capacity_, units_ + earned);
      last_ = now;
    }
    if (units_ < ticks_per_s_) return false;
    units_ -= ticks_per_s_;
    return true;
  }

 private:
  uint64_t rate_ = 0;
  uint64_t ticks_per_s_ = 1;
  uint64_t capacity_ = 0;
  uint64_t units_ = 0;
  uint64_t full_after_ = 0;
  uint64_t last_ = 0;
};

}  // namespace linkcrypt::kxclass
