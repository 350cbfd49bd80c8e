// The daemon's DPDK telemetry commands, /linkcrypt/status and /linkcrypt/sa (dpdk-telemetry.py).
#pragma once

#include "telemetry_snapshot.h"

struct rte_tel_data;

namespace linkcrypt::daemon {

// The board the commands read. It lives as long as the process: DPDK 22.11 cannot unregister a
// telemetry command, and its socket thread may answer while main() is returning.
[[nodiscard]] TelemetryBoard& telemetry_board();

// Registers both commands with the telemetry library (once per process; later calls do
// nothing). Returns an empty string, or why registration failed.
[[nodiscard]] std::string register_telemetry_commands();

// Writes a reply into a telemetry dict: fields as scalars, each group as a nested dict.
// Returns 0, or a negative errno from the telemetry library (too many entries, a bad name).
int render_telemetry_reply(const TelemetryReply& reply, rte_tel_data* out);

}  // namespace linkcrypt::daemon
