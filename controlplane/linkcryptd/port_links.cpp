// Port link reporting: log lines for link/MTU changes, start-up MTU notes and warnings, status rows.
#include "port_links.h"

#include "daemon_log.h"


namespace linkcrypt::daemon {
namespace {

std::string port_label(const dpdk::PortLinkState& s) {
  std::string l = s.role + " port " + s.device;
  if (!s.ifname.empty()) l += " (" + s.ifname + ")";
  return l;
}

api::PortStatus port_status(const dpdk::PortLinkState& s) {
  api::PortStatus o;
  o.role = s.role;
  o.device = s.device;
  if (!s.ifname.empty()) o.interface = s.ifname;
  if (s.if_index != 0) o.if_index = s.if_index;
  o.source = s.source;
  o.link = !s.known ? "unknown" : s.up ? "up" : "down";
  o.admin_up = s.admin_up;
  o.carrier = s.carrier;
  o.operstate = s.operstate;
  o.mtu = s.mtu;
  if (s.speed_mbps != 0) o.speed_mbps = s.speed_mbps;
  return o;
}

}  // namespace

std::string describe_link_change(const dpdk::LinkChange& c) {
  const dpdk::PortLinkState& a = c.after;
  std::string what;
  if (c.went_down()) {
    what = "link down";
  } else if (c.came_up()) {
    what = "link up";
  } else if (c.mtu_changed()) {
    what = "MTU " + std::to_string(c.before.mtu) + " -> " + std::to_string(a.mtu);
  } else if (!a.known) {
    what = "interface gone";
  } else {
    what = std::string("link ") + (a.up ? "up" : "down");
  }
  std::string detail = a.source == "netlink"
                           ? std::string(a.admin_up ? "admin up" : "admin down") + ", " +
                                 (a.carrier ? "carrier" : "no carrier") + ", operstate " + a.operstate
                           : "ethdev link " + a.operstate;
  detail += ", MTU " + std::to_string(a.mtu);
  return port_label(a) + ": " + what + " (" + detail + ")";
}

void report_link_changes(dpdk::Dataplane& dp) {
  for (const dpdk::LinkChange& c : dp.poll_links()) {
    // Steps that change neither up/down, MTU nor presence (carrier and operstate settling while
    // the link is still down) are visible in `status`, not worth a log line each.
    if (!c.went_down() && !c.came_up() && !c.mtu_changed() && c.before.known == c.after.known) continue;
    std::string line = describe_link_change(c);
    if (c.after.role == "wire" && c.went_down()) {
      line += ": plain frames are dropped (WireDownDrops) until it comes back";
    }
    if (c.after.role == "wire" && c.mtu_changed() && c.after.mtu != 0) {
      line += ": protected frames over " + std::to_string(c.after.mtu + 14) + " octets are now OutPktsTooLong";
    }
    // A link going down is what an operator must see (warning); coming back and MTU changes
    // are notices. Fields for the journal: which port, its interface, the new state.
    const LogLevel level = c.went_down() || !c.after.known ? LogLevel::Warning : LogLevel::Notice;
    log(level, line, {{"PORT", c.after.role}, {"IFACE", c.after.ifname.empty() ? c.after.device : c.after.ifname},
                      {"LINK", c.after.up ? "up" : "down"}, {"MTU", std::to_string(c.after.mtu)}});
  }
}

void report_startup_mtus(const dpdk::Dataplane& dp, const DaemonOptions& opts) {
  const uint32_t overhead = dp.macsec_overhead();
  const uint32_t wire_mtu = dp.wire_port().mtu();
  const bool tap = dp.plain_port().driver() == "net_tap";
  if (tap) {
    log(LogLevel::Info, "plain tap " + dp.links().plain().ifname + ": MTU " + std::to_string(dp.plain_port().mtu()) +
                            " and up (wire MTU " + std::to_string(wire_mtu) + " - " + std::to_string(overhead) +
                            " octets of SecTAG and ICV - 4 per VLAN tag, at most --plain-mtu " +
                            std::to_string(opts.plain_mtu) + ")");
  }
  // 802.1AE 8.3: a VLAN tag is inside the Secure Data, so each tag a full-size plain frame
  // carries needs 4 more octets of wire MTU (Linux and most NICs allow MTU + 14 + 4 only for
  // frames whose outer EtherType is 802.1Q, which a MACsec frame's is not).
  const uint32_t plain = tap ? dp.plain_port().mtu() : opts.plain_mtu;
  const uint32_t needed = plain + overhead + 4 * opts.plain_vlan_tags;
  if (wire_mtu < needed) {
    const uint32_t tags = (wire_mtu - plain - overhead) / 4;
    log(LogLevel::Warning, "wire MTU " + std::to_string(wire_mtu) + " carries full-size plain frames with at most " +
                               std::to_string(tags) + " VLAN tag(s), not the " + std::to_string(opts.plain_vlan_tags) +
                               " of --plain-vlan-tags: set it to " + std::to_string(needed) + " (plain MTU " +
                               std::to_string(plain) + " + " + std::to_string(overhead) +
                               " + 4 per tag) or such frames are dropped as OutPktsTooLong");
  }
}

std::vector<api::PortStatus> port_statuses(const dpdk::LinkMonitor& links) {
  return {port_status(links.plain()), port_status(links.wire())};
}

}  // namespace linkcrypt::daemon
