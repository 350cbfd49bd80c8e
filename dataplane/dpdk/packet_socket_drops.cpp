// take_packet_socket_drops: PACKET_STATISTICS of our AF_PACKET sockets on one interface.
#include "packet_socket_drops.h"

#include <linux/if_packet.h>
#include <sys/socket.h>

#include "pmd_packet_sockets.h"

namespace linkcrypt::dpdk {

uint64_t take_packet_socket_drops(uint32_t if_index) {
  if (if_index == 0) return 0;
  uint64_t drops = 0;
  (void)for_each_pmd_packet_socket(if_index, [&drops](int fd) {
    // TPACKET_V2 rings (what the PMD sets up) report struct tpacket_stats.
    tpacket_stats st{};
    socklen_t len = sizeof st;
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) drops += st.tp_drops;
    return true;
  });
  return drops;
}

}  // namespace linkcrypt::dpdk
