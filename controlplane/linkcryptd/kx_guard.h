// Key-exchange flood defence on the main lcore: tells the workers which IKE SA to prioritise and
// reports refused key-exchange traffic in at most one log line per second (docs/security.md).
#pragma once

#include "dataplane.h"
#include "keying_controller.h"

#include <chrono>
#include <cstdint>
#include <vector>

namespace linkcrypt::daemon {

class KxGuard {
 public:
  using Clock = std::chrono::steady_clock;
  // After every keying tick: publishes the controller's IKE SA SPIs to the dataplane classifier
  // (kxclass::KnownIkeSas) and, once a second, logs what was refused if anything was.
  void after_tick(dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point now);

 private:
  struct Recent {
    kxclass::IkeSaSpis spis;
    Clock::time_point seen;
  };
  // What the flood line reports; differences between two samples a second apart.
  struct Refused {
    uint64_t junk = 0, rate_limited = 0, low_ring_full = 0, priority_ring_full = 0;
    uint64_t cookies_sent = 0, cookie_invalid = 0, over_limit = 0, ike_malformed = 0, unrouted = 0;
  };
  static Refused sample(const dpdk::Dataplane& dp, const keying::KeyingController& controller);
  void publish(dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point now);
  void report(const dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point now);

  // The current IKE SA first, then the ones it replaced: an IKE rekey ends with a Delete on
  // the old SA (RFC 7296 2.18), which must not queue behind a flood either.
  std::vector<Recent> recent_;
  Refused last_{};
  bool sampled_ = false;
  Clock::time_point next_report_{};
};

}  // namespace linkcrypt::daemon
