// Port probing errors in an operator's words: device arguments checked before probing, probe failures explained.
#pragma once

#include <stdexcept>
#include <string>

#include "port.h"

namespace linkcrypt::dpdk {

// The device arguments name something that is not there or not usable by DPDK: the operator
// must fix the configuration (linkcryptd exits 2). Other port failures stay std::runtime_error.
struct PortConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The port's MTU cannot carry a full plain frame plus the 32 octets of SecTAG and ICV (802.1AE
// 8.2): the operator must raise the interface MTU or lower --plain-mtu (linkcryptd exits 2).
struct PortMtuError : PortConfigError {
  using PortConfigError::PortConfigError;
};

// Before probing: a bare kernel interface name instead of device arguments, and a kernel
// interface named by a vdev (net_af_packet iface=, net_pcap iface=/rx_iface=/tx_iface=,
// net_tap remote=) that does not exist in this network namespace. Throws PortConfigError.
void check_device_arguments(const PortConfig& cfg);

// rte_dev_probe(cfg.devargs) returned rc < 0: throws PortConfigError when the cause is the
// configuration (not a DPDK device, no such PCI device, PCI device not bound to a DPDK driver),
// else std::runtime_error with DPDK's reason and what to look at.
[[noreturn]] void throw_probe_failure(const PortConfig& cfg, int rc);

// Exposed for the unit test: is the device name a PCI address (DDDD:BB:DD.F or BB:DD.F)?
[[nodiscard]] bool looks_like_pci_address(const std::string& name);

}  // namespace linkcrypt::dpdk
