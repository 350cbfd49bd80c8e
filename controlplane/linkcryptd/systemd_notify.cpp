// systemd service notifications (sd_notify): READY=1, WATCHDOG=1 keep-alives, STOPPING=1.
#include "systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace linkcrypt::daemon::systemd_notify {
namespace {

using Clock = std::chrono::steady_clock;

struct Watchdog {
  Clock::duration period{};  // half of WatchdogSec=; zero: no watchdog
  Clock::time_point next{};
};

// The watchdog settings are the process's (WATCHDOG_USEC/WATCHDOG_PID from systemd): read once.
Watchdog& watchdog() {
  static Watchdog w = [] {
    Watchdog v;
    uint64_t usec = 0;
    // unset_environment = 0: the variables stay for anyone else asking; we spawn no children.
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) v.period = std::chrono::microseconds(usec / 2);
    return v;
  }();
  return w;
}

}  // namespace

void ready() {
  (void)sd_notify(0, "READY=1\nSTATUS=running: must-secure, plain frames pass only once a transmit SA is installed");
  watchdog();  // read the interval now, not on the first tick
}

void watchdog_tick(Clock::time_point now) {
  Watchdog& w = watchdog();
  if (w.period == Clock::duration::zero() || now < w.next) return;
  (void)sd_notify(0, "WATCHDOG=1");
  w.next = now + w.period;
}

void stopping() { (void)sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

}  // namespace linkcrypt::daemon::systemd_notify
