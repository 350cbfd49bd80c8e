// Link state and MTU of both ports: rtnetlink RTNLGRP_LINK for kernel-backed ports, ethdev polling for NICs.
#pragma once

#include "port.h"
#include "rtnl_socket.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::dpdk {

// What `linkcryptctl status` shows of one port.
struct PortLinkState {
  std::string role;           // "plain" | "wire"
  std::string device;         // the DPDK device name (net_tap0, 0000:03:00.0, ...)
  std::string source;         // "netlink" (kernel interface) | "ethdev" (rte_eth_link_get_nowait)
  uint32_t if_index = 0;      // netlink only
  std::string ifname;         // netlink only
  bool known = false;         // false until the first reading succeeded
  bool up = false;            // frames can move: admin up and running (netlink) / link up (ethdev)
  bool admin_up = false;      // netlink: IFF_UP
  bool carrier = false;       // netlink: IFF_LOWER_UP; ethdev: link up
  std::string operstate;      // netlink: RFC 2863 name; ethdev: "UP" / "DOWN"
  uint32_t mtu = 0;
  uint32_t speed_mbps = 0;    // ethdev only (0 unknown)
};

// A port whose link or MTU changed since the previous poll.
struct LinkChange {
  PortLinkState before;
  PortLinkState after;
  [[nodiscard]] bool went_down() const { return before.up && !after.up; }
  [[nodiscard]] bool came_up() const { return !before.up && after.up; }
  [[nodiscard]] bool mtu_changed() const { return before.mtu != after.mtu; }
};

// Counted on the main lcore; the names operators see are in visit_counters below.
struct LinkCounters {
  uint64_t plain_link_down = 0;
  uint64_t plain_link_up = 0;
  uint64_t wire_link_down = 0;
  uint64_t wire_link_up = 0;
  uint64_t netlink_refused = 0;    // notification datagrams the parser refused
  uint64_t netlink_overflows = 0;  // notifications lost to a full socket queue (state re-read)
};

template <typename Fn>
void visit_counters(const LinkCounters& c, Fn&& fn) {
  fn(std::string_view("PlainLinkDown"), c.plain_link_down);
  fn(std::string_view("PlainLinkUp"), c.plain_link_up);
  fn(std::string_view("WireLinkDown"), c.wire_link_down);
  fn(std::string_view("WireLinkUp"), c.wire_link_up);
  fn(std::string_view("NetlinkRefused"), c.netlink_refused);
  fn(std::string_view("NetlinkOverflows"), c.netlink_overflows);
}

// Main lcore only. Kernel-backed ports (if_index != 0) are followed through a non-blocking
// rtnetlink socket subscribed to RTNLGRP_LINK, drained by poll(); NICs are read with
// rte_eth_link_get_nowait and rte_eth_dev_get_mtu on each poll (cheap, never waits).
class LinkMonitor {
 public:
  // Subscribes first, then reads the initial state, so that no change falls in between.
  // Throws std::runtime_error when the rtnetlink socket cannot be opened (start-up only).
  LinkMonitor(const Port& plain, const Port& wire);

  // Changes since the previous call (both ports), with the counters updated.
  std::vector<LinkChange> poll();

  [[nodiscard]] const PortLinkState& plain() const { return ports_[0].state; }
  [[nodiscard]] const PortLinkState& wire() const { return ports_[1].state; }
  [[nodiscard]] LinkCounters counters() const;

 private:
  struct Watched {
    uint16_t port_id = 0;
    PortLinkState state;
  };
  void read_netlink(Watched& w);
  void read_ethdev(Watched& w) const;
  void note(const PortLinkState& before, const PortLinkState& after, std::vector<LinkChange>& out);

  Watched ports_[2];
  std::unique_ptr<netlink::RtnlSocket> events_;   // RTNLGRP_LINK, non-blocking
  std::unique_ptr<netlink::RtnlSocket> requests_; // RTM_GETLINK (initial state, after overflows)
  LinkCounters counters_;
  uint64_t overflows_seen_ = 0;
  uint64_t refused_seen_ = 0;
};

}  // namespace linkcrypt::dpdk
