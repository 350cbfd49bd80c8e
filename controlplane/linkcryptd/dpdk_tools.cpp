// DpdkTools: rte_pdump for dpdk-dumpcap, the telemetry snapshot for dpdk-telemetry.py.
#include "dpdk_tools.h"

#include "daemon_log.h"
#include "telemetry_commands.h"

#include <algorithm>
#include <filesystem>

namespace linkcrypt::daemon {

DpdkTools::DpdkTools(dpdk::Dataplane& dp, ControlHandlers& handlers, const DaemonOptions& opts)
    : builder_(handlers, dp) {
  const std::string dir = dpdk::eal_runtime_dir();
  const std::string prefix = std::filesystem::path(dir).filename().string();
  const std::string ports = "plain port " + std::to_string(dp.plain_port().id()) + ", wire port " +
                            std::to_string(dp.wire_port().id());
  if (const std::string err = register_telemetry_commands(); !err.empty()) {
    log(LogLevel::Warning, "telemetry commands /linkcrypt/* unavailable: " + err);
  }
  const auto& eal = opts.eal_args;
  if (std::find(eal.begin(), eal.end(), "--no-telemetry") != eal.end()) {
    log(LogLevel::Info, "DPDK runtime directory " + dir + " (" + ports + "); telemetry is off (--no-telemetry)");
  } else {
    log(LogLevel::Info, "DPDK runtime directory " + dir + " (" + ports + "): dpdk-telemetry.py -f " + prefix +
                            " answers /linkcrypt/status, /linkcrypt/sa, /ethdev/stats,<port>");
  }
  if (capture_.available()) {
    log(LogLevel::Info, "packet capture: dpdk-dumpcap --file-prefix=" + prefix + " -i <port> (" + ports + ")");
  } else {
    log(LogLevel::Info, "packet capture with dpdk-dumpcap unavailable: " + capture_.why_not());
  }
  on_tick();  // telemetry answers from the first request on
}

void DpdkTools::on_tick() { telemetry_board().publish(builder_.build()); }

}  // namespace linkcrypt::daemon
