// The drops a NIC or PMD counts before a frame reaches a worker, or after one hands it to TX.
#pragma once

#include <cstdint>
#include <string_view>

namespace linkcrypt::dpdk {

// From rte_eth_stats_get (control path only: it may take a lock or a syscall in the PMD).
// Each of these is a frame lost without the SecY ever seeing it, so the operator needs them
// beside the 802.1AE counters.
struct PortCounters {
  uint64_t rx_missed = 0;   // imissed: the RX ring was full (the worker fell behind)
  // net_af_packet wire port only: key-exchange frames the kernel dropped because their own ring
  // was full (kx_packet_ring.h): a flood's excess, apart from the data's RxMissed.
  uint64_t kx_rx_missed = 0;
  uint64_t kx_priority_rx_missed = 0;  // ... in the known IKE SAs' ring: never a flood's frames
  uint64_t eapol_rx_missed = 0;        // MKA keying: EAPOL frames dropped because their own ring was full
  uint64_t rx_errors = 0;   // ierrors: bad frames the NIC discarded (CRC, length)
  uint64_t rx_no_mbuf = 0;  // rx_nombuf: no mbuf to receive into
  uint64_t tx_errors = 0;   // oerrors: the PMD or the kernel failed to send
  uint64_t rx_packets = 0;  // ipackets / opackets: for context, not drops
  uint64_t tx_packets = 0;
};

// Sum of the drop counters above.
[[nodiscard]] constexpr uint64_t port_drops(const PortCounters& c) {
  return c.rx_missed + c.kx_rx_missed + c.kx_priority_rx_missed + c.eapol_rx_missed + c.rx_errors + c.rx_no_mbuf + c.tx_errors;
}

template <typename Fn>
void visit_counters(const PortCounters& c, Fn&& fn) {
  fn(std::string_view("RxMissed"), c.rx_missed);
  fn(std::string_view("KxRxMissed"), c.kx_rx_missed);
  fn(std::string_view("KxPriorityRxMissed"), c.kx_priority_rx_missed);
  fn(std::string_view("EapolRxMissed"), c.eapol_rx_missed);
  fn(std::string_view("RxErrors"), c.rx_errors);
  fn(std::string_view("RxNoMbuf"), c.rx_no_mbuf);
  fn(std::string_view("TxErrors"), c.tx_errors);
  fn(std::string_view("RxPackets"), c.rx_packets);
  fn(std::string_view("TxPackets"), c.tx_packets);
}

}  // namespace linkcrypt::dpdk
