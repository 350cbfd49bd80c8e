// take_packet_socket_drops: PACKET_STATISTICS of our AF_PACKET sockets on one interface.
#include "packet_socket_drops.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string_view>

namespace linkcrypt::dpdk {

uint64_t take_packet_socket_drops(uint32_t if_index) {
  if (if_index == 0) return 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  uint64_t drops = 0;
  const int own = dirfd(dir);
  while (const dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == own) continue;
    int domain = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_PACKET) continue;
    sockaddr_ll addr{};
    len = sizeof addr;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;
    // The PMD's sockets take every protocol; the key-exchange ring's (kx_packet_ring.h) counts apart.
    if (addr.sll_ifindex != static_cast<int>(if_index) || addr.sll_protocol != htons(ETH_P_ALL)) continue;
    // TPACKET_V2 rings (what the PMD sets up) report struct tpacket_stats.
    tpacket_stats st{};
    len = sizeof st;
    if (getsockopt(static_cast<int>(fd), SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) drops += st.tp_drops;
  }
  closedir(dir);
  return drops;
}

}  // namespace linkcrypt::dpdk
