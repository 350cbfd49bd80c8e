// for_each_pmd_packet_socket: the PMD does not hand out its sockets, so they are found by their binding.
#include "pmd_packet_sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstdlib>
#include <memory>

namespace linkcrypt::dpdk {

int for_each_pmd_packet_socket(uint32_t if_index, const std::function<bool(int fd)>& fn) {
  const std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir("/proc/self/fd"), closedir);
  if (!dir) return -1;
  int visited = 0;
  const int own = dirfd(dir.get());
  while (const dirent* e = readdir(dir.get())) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == own) continue;
    int domain = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_PACKET) continue;
    sockaddr_ll addr{};
    len = sizeof addr;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;
    if (addr.sll_ifindex != static_cast<int>(if_index) || addr.sll_protocol != htons(ETH_P_ALL)) continue;
    ++visited;
    if (!fn(static_cast<int>(fd))) break;
  }
  return visited;
}

}  // namespace linkcrypt::dpdk
