// What DPDK's own operator tools need from the daemon: dpdk-dumpcap and dpdk-telemetry.py.
#pragma once

#include "control_handlers.h"
#include "dataplane.h"
#include "options.h"
#include "pdump_init.h"
#include "telemetry_snapshot.h"

#include <chrono>

namespace linkcrypt::daemon {

// Construction (after the dataplane, before the event loop) initialises rte_pdump, registers the
// /linkcrypt/* telemetry commands and logs one line saying how to reach both tools (or why
// capture is unavailable). on_tick, from the event loop, publishes a fresh snapshot for the
// telemetry thread. docs/operator-guide.md shows both workflows.
class DpdkTools {
 public:
  // Telemetry answers what handlers' `status` and `sa` answer on the control socket.
  DpdkTools(dpdk::Dataplane& dp, ControlHandlers& handlers, const DaemonOptions& opts);
  void on_tick();

 private:
  dpdk::PacketCaptureServer capture_;
  TelemetrySnapshotBuilder builder_;
};

}  // namespace linkcrypt::daemon
