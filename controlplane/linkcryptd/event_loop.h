// The main lcore's event loop: signals, punted key-exchange frames, PN-threshold signal, stats.
#pragma once

#include "dataplane.h"
#include "options.h"

#include <csignal>

namespace linkcrypt::daemon {

// The signals the loop waits for; block them in every thread BEFORE the EAL starts its threads
// so that only sigtimedwait in the loop receives them.
[[nodiscard]] sigset_t block_daemon_signals();

// Runs until SIGINT or SIGTERM. SIGUSR1 prints the counters. Key-exchange frames punted by the
// workers are drained (counted, and dropped until the key exchange is wired in); the active
// transmit SA's rekey-threshold flag is polled and logged once per SA.
void run_event_loop(dpdk::Dataplane& dp, const sigset_t& signals, const DaemonOptions& opts);

}  // namespace linkcrypt::daemon
