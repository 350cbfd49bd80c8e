// Control-socket abuse (slow readers, clients over the limit, non-admins asking to change state)
// shows in the control counters at once and in at most one log line a second (docs/security.md).
#pragma once

#include "control_server.h"

#include <chrono>

namespace linkcrypt::daemon {

class ControlAbuseLog {
 public:
  using Clock = std::chrono::steady_clock;
  // Call every tick; logs one warning line a second while the refusal counters move.
  void after_tick(const control::ControlServerStats& stats, Clock::time_point now);

 private:
  control::ControlServerStats last_{};
  Clock::time_point next_report_{};
};

}  // namespace linkcrypt::daemon
