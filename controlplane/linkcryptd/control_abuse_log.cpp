#include "control_abuse_log.h"

#include "daemon_log.h"

#include <string>

namespace linkcrypt::daemon {

void ControlAbuseLog::after_tick(const control::ControlServerStats& stats, Clock::time_point now) {
  if (now < next_report_) return;
  next_report_ = now + std::chrono::seconds(1);
  const uint64_t slow = stats.dropped_slow_clients - last_.dropped_slow_clients;
  const uint64_t rejected = stats.rejected_clients - last_.rejected_clients;
  const uint64_t denied = stats.permission_denied - last_.permission_denied;
  last_ = stats;
  if (slow == 0 && rejected == 0 && denied == 0) return;
  log(LogLevel::Warning,
      "control socket refused clients in the last second: " + std::to_string(slow) +
          " dropped for not reading their replies, " + std::to_string(rejected) + " over the client limit, " +
          std::to_string(denied) + " state-changing requests from non-admins",
      {{"REASON", "ControlRefused"},
       {"CONTROL_DROPPED_SLOW", std::to_string(slow)},
       {"CONTROL_REJECTED", std::to_string(rejected)},
       {"CONTROL_PERMISSION_DENIED", std::to_string(denied)}});
}

}  // namespace linkcrypt::daemon
