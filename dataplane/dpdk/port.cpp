// Port: probe, configure, MTU check, start; stop and close on destruction.
#include "port.h"

#include "packet_socket_drops.h"
#include "port_errors.h"
#include "rtnl_socket.h"

#include <net/if.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace linkcrypt::dpdk {
namespace {

std::string device_name(const std::string& devargs) {
  return devargs.substr(0, devargs.find(','));
}

std::string port_context(const PortConfig& cfg) { return cfg.role + " port '" + cfg.devargs + "': "; }

[[noreturn]] void fail(const PortConfig& cfg, const std::string& what, int rc) {
  throw std::runtime_error(port_context(cfg) + what +
                           (rc != 0 ? std::string(": ") + rte_strerror(rc < 0 ? -rc : rc) : ""));
}

uint16_t find_port(const PortConfig& cfg) {
  const std::string name = device_name(cfg.devargs);
  uint16_t id = 0;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &id) == 0) return id;  // probed by EAL args
  check_device_arguments(cfg);  // words an operator understands, not "Bad address"
  const int rc = rte_dev_probe(cfg.devargs.c_str());
  if (rc < 0 && rc != -EEXIST) throw_probe_failure(cfg, rc);
  if (rte_eth_dev_get_port_by_name(name.c_str(), &id) == 0) return id;
  // PCI devices may be named differently from how they were given (domain prefix).
  rte_dev_iterator it{};
  RTE_ETH_FOREACH_MATCHING_DEV(id, cfg.devargs.c_str(), &it) {
    rte_eth_iterator_cleanup(&it);
    return id;
  }
  fail(cfg, "no Ethernet port matches these device arguments", 0);
}

}  // namespace

uint32_t kernel_interface_mtu(uint32_t if_index) {
  if (if_index == 0) return 0;
  std::string err;
  auto rtnl = netlink::RtnlSocket::open(false, err);
  if (!rtnl) return 0;
  const auto link = rtnl->get_link(if_index, err);
  return link ? link->mtu : 0;
}

PortCounters Port::counters() const {
  rte_eth_stats st{};
  PortCounters c;
  if (rte_eth_stats_get(port_id_, &st) != 0) return c;
  // net_af_packet: the kernel's drops for a full ring, which the PMD does not report.
  kernel_ring_drops_ += take_packet_socket_drops(packet_socket_if_index_);
  c.rx_missed = st.imissed + kernel_ring_drops_;
  c.rx_errors = st.ierrors;
  c.rx_no_mbuf = st.rx_nombuf;
  c.tx_errors = st.oerrors;
  c.rx_packets = st.ipackets;
  c.tx_packets = st.opackets;
  return c;
}

Port::Port(const PortConfig& cfg, rte_mempool* pool) : name_(device_name(cfg.devargs)) {
  port_id_ = find_port(cfg);
  rte_eth_dev_info info{};
  int rc = rte_eth_dev_info_get(port_id_, &info);
  if (rc != 0) fail(cfg, "cannot read device info", rc);
  if_index_ = info.if_index;
  driver_ = info.driver_name != nullptr ? info.driver_name : "";
  if (info.max_rx_queues < cfg.queue_count || info.max_tx_queues < cfg.queue_count) {
    fail(cfg, "needs " + std::to_string(cfg.queue_count) + " RX/TX queues (one per worker lcore), device has " +
                  std::to_string(info.max_rx_queues) + "/" + std::to_string(info.max_tx_queues) +
                  " (for net_af_packet add qpairs=N)", 0);
  }

  rte_eth_conf conf{};
  if (cfg.queue_count > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
  }
  rc = rte_eth_dev_configure(port_id_, cfg.queue_count, cfg.queue_count, &conf);
  if (rc != 0) fail(cfg, "cannot configure", rc);

  uint16_t rx_desc = cfg.rx_desc;
  uint16_t tx_desc = cfg.tx_desc;
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id_, &rx_desc, &tx_desc);
  if (rc != 0) fail(cfg, "cannot adjust descriptor counts", rc);
  const int socket = rte_eth_dev_socket_id(port_id_) >= 0 ? rte_eth_dev_socket_id(port_id_)
                                                           : static_cast<int>(rte_socket_id());
  for (uint16_t q = 0; q < cfg.queue_count; ++q) {
    rc = rte_eth_rx_queue_setup(port_id_, q, rx_desc, socket, nullptr, pool);
    if (rc != 0) fail(cfg, "cannot set up RX queue " + std::to_string(q), rc);
    rc = rte_eth_tx_queue_setup(port_id_, q, tx_desc, socket, nullptr);
    if (rc != 0) fail(cfg, "cannot set up TX queue " + std::to_string(q), rc);
  }

  // 802.1AE clause 8.2 / design §3: the wire must carry the 32 octets of SecTAG (with SCI) and
  // ICV on top of every plain frame, or frames would be dropped as OutPktsTooLong.
  uint16_t mtu = 0;
  if (info.driver_name != nullptr && std::string_view(info.driver_name) == "net_af_packet") {
    packet_socket_if_index_ = info.if_index;
  }
  if (info.if_index != 0) {
    if (cfg.tap_mtu != 0 && driver_ == "net_tap") {
      // rtnetlink, as `ip link set TAP mtu N up`: the host behind the tap learns what fits.
      std::string err;
      auto rtnl = netlink::RtnlSocket::open(false, err);
      if (!rtnl || !rtnl->set_link(info.if_index, cfg.tap_mtu, true, err)) {
        fail(cfg, "cannot set the tap interface's MTU to " + std::to_string(cfg.tap_mtu) + " and bring it up: " + err, 0);
      }
    }
    mtu_ = kernel_interface_mtu(info.if_index);
  } else {
    if (rte_eth_dev_get_mtu(port_id_, &mtu) == 0 && mtu < cfg.required_mtu &&
        cfg.required_mtu <= info.max_mtu) {
      (void)rte_eth_dev_set_mtu(port_id_, static_cast<uint16_t>(cfg.required_mtu));
    }
    mtu_ = rte_eth_dev_get_mtu(port_id_, &mtu) == 0 ? mtu : 0;
  }
  // A tap whose MTU we set carries what we set (it may be below --plain-mtu on a small wire).
  const uint32_t required = cfg.tap_mtu != 0 && driver_ == "net_tap" ? cfg.tap_mtu : cfg.required_mtu;
  if (mtu_ < required) {
    throw PortMtuError(port_context(cfg) + "MTU " + std::to_string(mtu_) + " is too small: it must carry " +
                       std::to_string(required) +
                       " octets (the plain MTU plus 32 octets of SecTAG and ICV on the wire); raise "
                       "the interface MTU or lower --plain-mtu");
  }

  rc = rte_eth_dev_start(port_id_);
  if (rc != 0) fail(cfg, "cannot start", rc);
  started_ = true;
  if (cfg.promiscuous) {
    rc = rte_eth_promiscuous_enable(port_id_);
    if (rc != 0 && rc != -ENOTSUP) fail(cfg, "cannot enable promiscuous mode", rc);
  }
}

Port::~Port() {
  if (started_) (void)rte_eth_dev_stop(port_id_);
  (void)rte_eth_dev_close(port_id_);
}

}  // namespace linkcrypt::dpdk
