// An Ethernet port as an RAII object: probed from device arguments, configured, started, closed.
#pragma once

#include "port_stats.h"

#include <rte_mempool.h>

#include <cstdint>
#include <string>

namespace linkcrypt::dpdk {

struct PortConfig {
  std::string role;       // "plain" or "wire": named in every error message
  std::string devargs;    // a PCI address, or a vdev such as "net_af_packet0,iface=veth0"
  uint16_t queue_count = 1;   // one RX and one TX queue per worker lcore
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint32_t required_mtu = 1500;  // L2 payload octets the port must carry (wire: plain + 32)
  // net_tap only: set the tap interface's MTU to this (rtnetlink) and bring it up; 0 leaves it.
  // The kernel behind the tap is the host, so its MTU tells the host what the wire can carry.
  uint32_t tap_mtu = 0;
  bool promiscuous = true;       // a bump in the wire forwards frames for every address
};

// Construction probes the device (if it is not yet probed), configures queue_count RX/TX queue
// pairs whose RX side draws from pool, checks the MTU and starts the port. Every failure throws
// std::runtime_error naming the role and device (start-up only): PortConfigError when the device
// arguments are wrong, PortMtuError when the MTU is too small (port_errors.h). The destructor
// stops and closes.
class Port {
 public:
  Port(const PortConfig& cfg, rte_mempool* pool);
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  [[nodiscard]] uint16_t id() const { return port_id_; }
  [[nodiscard]] uint32_t mtu() const { return mtu_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  // The PMD's statistics (rte_eth_stats_get); all zero if the PMD cannot report them.
  [[nodiscard]] PortCounters counters() const;
  // The kernel interface behind a net_tap/net_af_packet port (dev_info.if_index), 0 for NICs.
  [[nodiscard]] uint32_t if_index() const { return if_index_; }
  [[nodiscard]] const std::string& driver() const { return driver_; }

 private:
  uint16_t port_id_ = 0;
  uint32_t mtu_ = 0;
  uint32_t if_index_ = 0;
  std::string name_;
  std::string driver_;
  bool started_ = false;
  uint32_t packet_socket_if_index_ = 0;     // net_af_packet's kernel interface, else 0
  mutable uint64_t kernel_ring_drops_ = 0;  // PACKET_STATISTICS resets on read: accumulated here
};

// The MTU a kernel-backed port (af_packet, tap: dev_info.if_index != 0) really carries is its
// kernel interface's MTU: the kernel, not the PMD, enforces it on veth. Read with rtnetlink
// (RTM_GETLINK); 0 when unknown.
[[nodiscard]] uint32_t kernel_interface_mtu(uint32_t if_index);

}  // namespace linkcrypt::dpdk
