// systemd service notifications (sd_notify): READY=1, WATCHDOG=1 keep-alives, STOPPING=1.
#pragma once

#include <chrono>

namespace linkcrypt::daemon::systemd_notify {

// Every call is a no-op unless systemd started us with Type=notify (NOTIFY_SOCKET set), so the
// daemon behaves the same from a shell, a test or the linkcryptd@.service unit.

// Tells systemd start-up is complete (the unit becomes "active"). Called once the dataplane runs:
// it is must-secure from its first frame, so no plain frame can leave in the clear from then on.
void ready();

// Sends WATCHDOG=1 at half of the unit's WatchdogSec= (read once with sd_watchdog_enabled), so a
// wedged event loop gets the daemon killed and restarted by systemd. Call it every loop iteration;
// it does nothing between keep-alives and when no watchdog is configured.
void watchdog_tick(std::chrono::steady_clock::time_point now);

// Tells systemd the daemon is shutting down on purpose (SIGTERM/SIGINT).
void stopping();

}  // namespace linkcrypt::daemon::systemd_notify
