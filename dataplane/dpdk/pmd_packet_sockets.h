// The net_af_packet PMD's own packet sockets on one interface, found among this process's fds.
#pragma once

#include <cstdint>
#include <functional>

namespace linkcrypt::dpdk {

// Calls fn(fd) for each AF_PACKET socket of this process bound to if_index for every protocol
// (ETH_P_ALL: the PMD's; the key-exchange rings of kx_packet_ring.h bind to their EtherType and
// are not visited). fn returns false to stop. Returns the number of sockets visited, or -1 if
// /proc/self/fd cannot be read. Control path only (syscalls).
int for_each_pmd_packet_socket(uint32_t if_index, const std::function<bool(int fd)>& fn);

}  // namespace linkcrypt::dpdk
