// Frames the kernel dropped because a net_af_packet port's receive ring was full.
#pragma once

#include <cstdint>

namespace linkcrypt::dpdk {

// DPDK 22.11's af_packet PMD does not report these (its imissed stays 0 while the kernel drops
// frames for a full ring), so the control plane reads the sockets' PACKET_STATISTICS itself:
// the sum of tp_drops over this process's AF_PACKET sockets bound to if_index for every protocol
// (the PMD's: not the key-exchange ring of kx_packet_ring.h, counted as KxRxMissed). The kernel
// resets the counts on each read, so callers accumulate. Control path only (syscalls).
[[nodiscard]] uint64_t take_packet_socket_drops(uint32_t if_index);

}  // namespace linkcrypt::dpdk
