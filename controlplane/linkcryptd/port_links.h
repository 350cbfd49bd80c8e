// The daemon's view of its ports' links: change log lines, start-up MTU notes, the status rows.
#pragma once

#include "dataplane.h"
#include "api/status.h"
#include "options.h"

#include <string>

namespace linkcrypt::daemon {

// One log line for a link or MTU change, e.g.
// "wire port net_af_packet1 (wa): link down (admin down, no carrier, operstate DOWN, MTU 1532)".
[[nodiscard]] std::string describe_link_change(const dpdk::LinkChange& c);

// Event loop, each tick: polls both ports' links and logs each up/down, MTU or presence change
// (daemon::log: warning when a link goes down, notice otherwise; fields PORT, IFACE, LINK, MTU).
// The counters (WireLinkDown, ...) are kept by the dataplane's LinkMonitor.
void report_link_changes(dpdk::Dataplane& dp);

// Start-up: what the tap was set to, and a warning when the wire cannot carry full-size plain
// frames with the VLAN tags --plain-vlan-tags says the plain side may carry.
void report_startup_mtus(const dpdk::Dataplane& dp, const DaemonOptions& opts);

// The "ports" table of `status`: role, device, interface, link, MTU, ... for both ports.
[[nodiscard]] std::vector<api::PortStatus> port_statuses(const dpdk::LinkMonitor& links);

}  // namespace linkcrypt::daemon
