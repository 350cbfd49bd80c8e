// The main lcore's event loop: signals, the keying controller and its transport, the control socket.
#pragma once

#include "control_handlers.h"
#include "control_server.h"
#include "dataplane.h"
#include "keying_controller.h"
#include "options.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>

namespace linkcrypt::metrics {
class MetricsServer;
}

namespace linkcrypt::daemon {

// The signals the loop waits for; block them in every thread BEFORE the EAL starts its threads
// so that only sigtimedwait in the loop receives them.
[[nodiscard]] sigset_t block_daemon_signals();

// Runs until SIGINT or SIGTERM (then the keying controller's IKE Delete is sent and given time to
// leave: shutdown.h), ticking every 10 ms: SIGHUP calls on_reload; SIGUSR1 prints the counters; the keying
// controller (null with manual keys) drains its transport, runs IKE timers and rotation triggers;
// the control server (may be null) answers what is ready; once a second the SAs' PN rates are
// sampled for the control socket's time-to-exhaustion figures; on_tick (may be empty) runs every
// tick. With manual keys the transmit SA's rekey-threshold flag is polled and logged once per SA.
// A metrics scrape waiting for a snapshot (metrics may be null: no --metrics-listen) gets it on
// the next tick.
// keying_tick (process-model = split, the dataplane process): runs instead of the controller and
// owns the punted kx frames (keying_channel.h).
// One line of keying state for the SIGUSR1 dump.
void print_keying(std::FILE* out, const keying::KeyingController& c);

void run_event_loop(dpdk::Dataplane& dp, const sigset_t& signals, const DaemonOptions& opts,
                    keying::KeyingController* controller, control::ControlServer* server,
                    ControlHandlers& handlers, const std::function<void()>& on_reload,
                    metrics::MetricsServer* metrics = nullptr,
                    const std::function<void()>& on_tick = {},
                    const std::function<void()>& keying_tick = {});

}  // namespace linkcrypt::daemon
