// LinkMonitor: initial link reads, RTNLGRP_LINK notifications and ethdev polls turned into changes.
#include "link_monitor.h"

#include <rte_ethdev.h>

#include <stdexcept>

namespace linkcrypt::dpdk {
namespace {

void apply(const netlink::LinkInfo& l, PortLinkState& s) {
  s.known = !l.deleted;
  s.ifname = l.name.empty() ? s.ifname : l.name;
  s.admin_up = !l.deleted && l.admin_up;
  s.carrier = !l.deleted && l.carrier;
  s.up = !l.deleted && l.link_up();
  s.operstate = l.deleted ? "GONE" : netlink::operstate_name(l.operstate);
  if (l.mtu != 0) s.mtu = l.mtu;
}

bool differs(const PortLinkState& a, const PortLinkState& b) {
  return a.known != b.known || a.up != b.up || a.admin_up != b.admin_up || a.carrier != b.carrier ||
         a.operstate != b.operstate || a.mtu != b.mtu || a.speed_mbps != b.speed_mbps;
}

}  // namespace

LinkMonitor::LinkMonitor(const Port& plain, const Port& wire) {
  const Port* ports[2] = {&plain, &wire};
  bool any_kernel = false;
  for (int i = 0; i < 2; ++i) {
    Watched& w = ports_[i];
    w.port_id = ports[i]->id();
    w.state.role = i == 0 ? "plain" : "wire";
    w.state.device = ports[i]->name();
    w.state.if_index = ports[i]->if_index();
    w.state.source = w.state.if_index != 0 ? "netlink" : "ethdev";
    w.state.mtu = ports[i]->mtu();
    any_kernel = any_kernel || w.state.if_index != 0;
  }
  if (any_kernel) {
    std::string err;
    events_ = netlink::RtnlSocket::open(true, err);
    if (events_) requests_ = netlink::RtnlSocket::open(false, err);
    if (!events_ || !requests_) throw std::runtime_error("link monitor: " + err);
  }
  for (Watched& w : ports_) {
    if (w.state.if_index != 0) {
      read_netlink(w);
    } else {
      read_ethdev(w);
    }
  }
}

void LinkMonitor::read_netlink(Watched& w) {
  std::string err;
  if (const auto l = requests_->get_link(w.state.if_index, err)) {
    apply(*l, w.state);
  } else {
    w.state.known = false;
    w.state.up = false;
    w.state.operstate = "GONE";
  }
}

void LinkMonitor::read_ethdev(Watched& w) const {
  rte_eth_link link{};
  if (rte_eth_link_get_nowait(w.port_id, &link) != 0) {
    w.state.known = false;
    return;
  }
  w.state.known = true;
  w.state.up = link.link_status == RTE_ETH_LINK_UP;
  w.state.admin_up = true;  // the port is started
  w.state.carrier = w.state.up;
  w.state.operstate = w.state.up ? "UP" : "DOWN";
  w.state.speed_mbps = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
  uint16_t mtu = 0;
  if (rte_eth_dev_get_mtu(w.port_id, &mtu) == 0) w.state.mtu = mtu;
}

void LinkMonitor::note(const PortLinkState& before, const PortLinkState& after, std::vector<LinkChange>& out) {
  if (!differs(before, after)) return;
  LinkChange c{before, after};
  const bool wire = after.role == "wire";
  if (c.went_down()) ++(wire ? counters_.wire_link_down : counters_.plain_link_down);
  if (c.came_up()) ++(wire ? counters_.wire_link_up : counters_.plain_link_up);
  out.push_back(std::move(c));
}

std::vector<LinkChange> LinkMonitor::poll() {
  std::vector<LinkChange> out;
  if (events_) {
    // Each notification is a step: a down-up flap within one poll is two changes, not none.
    for (const netlink::LinkInfo& l : events_->drain()) {
      for (Watched& w : ports_) {
        if (w.state.if_index == 0 || w.state.if_index != l.if_index) continue;
        const PortLinkState before = w.state;
        apply(l, w.state);
        note(before, w.state, out);
      }
    }
    if (events_->overflows() != overflows_seen_ || events_->refused() != refused_seen_) {
      // Some notifications were lost or unreadable: what the kernel says now is the truth.
      overflows_seen_ = events_->overflows();
      refused_seen_ = events_->refused();
      for (Watched& w : ports_) {
        if (w.state.if_index == 0) continue;
        const PortLinkState before = w.state;
        read_netlink(w);
        note(before, w.state, out);
      }
    }
  }
  for (Watched& w : ports_) {
    if (w.state.if_index != 0) continue;
    const PortLinkState before = w.state;
    read_ethdev(w);
    note(before, w.state, out);
  }
  return out;
}

LinkCounters LinkMonitor::counters() const {
  LinkCounters c = counters_;
  if (events_) {
    c.netlink_refused = events_->refused();
    c.netlink_overflows = events_->overflows();
  }
  return c;
}

}  // namespace linkcrypt::dpdk
