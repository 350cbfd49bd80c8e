// DataplaneCounters: every counter the dataplane keeps, summed over the workers; and their drop total.
#pragma once

#include <cstdint>

#include "link_monitor.h"
#include "port_stats.h"
#include "sa_control.h"
#include "worker_counters.h"

#include "counters.h"

namespace linkcrypt::dpdk {

// Summed over every worker lcore at the moment of reading.
struct DataplaneCounters {
  WorkerCounters worker;
  secy::SecyCounters secy;
  SaReport sa;
  PortCounters plain_port;   // the PMDs' own drop counters (imissed, ierrors, ...)
  PortCounters wire_port;
  LinkCounters links;
  uint64_t tsc_hz = 0;       // the TSC's rate: worker.*_latency are in its cycles
};

// Every frame lost anywhere in the dataplane: the drops we add, the 802.1AE discards (per SecY
// and per receive SC), and what the ports lost before or after the workers. The keying
// controller reports it per rotation (frames dropped); `linkcryptctl stats` shows it as DropsTotal.
[[nodiscard]] uint64_t total_drops(const DataplaneCounters& c);

}  // namespace linkcrypt::dpdk
