// Dataplane: start-up sizing and checks, worker launch/stop, counter sums, key-exchange punt path.
#include "dataplane.h"

#include "sectag.h"

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace linkcrypt::dpdk {

Dataplane::Dataplane(const Eal& eal, const DataplaneConfig& cfg) : cfg_(cfg), lcores_(eal.worker_lcores()) {
  if (lcores_.empty()) {
    throw std::runtime_error("no worker lcore: give the EAL at least two lcores (e.g. -l 0,1); "
                             "the main lcore runs the control plane");
  }
  if (lcores_.size() > secy::kMaxLcores) throw std::runtime_error("too many worker lcores");
  const auto workers = static_cast<uint16_t>(lcores_.size());
  const uint32_t overhead = macsec_overhead();
  // The largest plain frame (Ethernet header, the VLAN tags the plain side may carry, the plain
  // MTU), the SecTAG/ICV room and the mbuf headroom.
  const uint32_t frame_len = 14 + 4 * cfg.plain_vlan_tags + cfg.plain_mtu + overhead;
  const uint32_t room = std::max<uint32_t>(RTE_MBUF_DEFAULT_BUF_SIZE, frame_len + RTE_PKTMBUF_HEADROOM + 64);
  if (room > UINT16_MAX) throw std::runtime_error("plain MTU too large for one mbuf");
  const std::string suffix = std::to_string(getpid());
  pool_ = make_pktmbuf_pool("lc_pool_" + suffix, cfg.mbuf_count, static_cast<uint16_t>(room),
                            static_cast<int>(rte_socket_id()));

  // The wire first: a tap plain port gets its MTU from what the wire carries.
  PortConfig wire = cfg.wire;
  wire.role = "wire";
  wire.queue_count = workers;
  wire.required_mtu = cfg.plain_mtu + overhead;  // SecTAG with SCI (16, 9.3) + ICV (16, 14.5)
  wire_ = std::make_unique<Port>(wire, pool_.get());
  PortConfig plain = cfg.plain;
  plain.role = "plain";
  plain.queue_count = workers;
  plain.required_mtu = cfg.plain_mtu;
  // A tap's host sends what its MTU allows: at most the plain MTU, and no more than the wire can
  // carry once SecTAG, ICV and the VLAN tags the plain side may add are counted.
  const uint32_t vlan_len = 4 * cfg.plain_vlan_tags;
  plain.tap_mtu = wire_->mtu() > overhead + vlan_len ? std::min(cfg.plain_mtu, wire_->mtu() - overhead - vlan_len) : 0;
  if (plain.tap_mtu != 0 && plain.tap_mtu < 68) plain.tap_mtu = 68;  // the IPv4 minimum (RFC 791)
  plain_ = std::make_unique<Port>(plain, pool_.get());
  links_ = std::make_unique<LinkMonitor>(*plain_, *wire_);
  if (wire_->driver() == "net_af_packet" && wire_->if_index() != 0) {
    // Issue 15 §2: the key-exchange EtherType gets kernel rings of its own, so that a flood of
    // it cannot overflow the PMD's ring and take the link's data frames with it, nor the ring
    // the established IKE SA's messages arrive in (none known yet: kx_spi_filter).
    std::string err;
    const uint32_t max_frame = wire_->mtu() + 14 + 4 * 2;
    const kxclass::KnownIkeSas none;
    kx_priority_ring_ = KxPacketRing::open(wire_->if_index(), cfg.kx_ethertype, cfg.kx_priority_ring_frames,
                                           max_frame, kx_spi_filter(none, true), err);
    if (kx_priority_ring_) {
      kx_ring_ = KxPacketRing::open(wire_->if_index(), cfg.kx_ethertype, cfg.kx_ring_frames, max_frame,
                                    kx_spi_filter(none, false), err);
    }
    if (kx_ring_ && cfg.eapol_ethertype != 0) {
      // MKA: EAPOL gets a ring of its own too, so that an MKPDU is never lost in a data burst.
      eapol_ring_ = KxPacketRing::open(wire_->if_index(), cfg.eapol_ethertype, cfg.eapol_ring_frames, max_frame,
                                       accept_all_filter(), err);
      if (!eapol_ring_) kx_ring_.reset();
    }
    if (!kx_ring_ || !keep_kx_off_pmd_sockets(wire_->if_index(), cfg.kx_ethertype, err, cfg.eapol_ethertype)) {
      throw std::runtime_error("wire port " + wire_->name() + ": cannot give the key-exchange EtherType its own packet rings: " + err);
    }
  }
  wire_down_.store(links_->wire().known && !links_->wire().up);

  punt_to_control_ = make_mbuf_ring("lc_punt_" + suffix, cfg.punt_low_ring_len, static_cast<int>(rte_socket_id()), true);
  control_to_wire_ = make_mbuf_ring("lc_kxtx_" + suffix, cfg.punt_ring_len, static_cast<int>(rte_socket_id()), false);

  secy_cfg_ = cfg.secy;
  // OutPktsTooLong (10.7.18): a protected frame must fit the wire port's MTU plus the only
  // header outside the SecTAG, DA and SA (any VLAN tag is inside the Secure Data, 8.3); the
  // kernel refuses a longer non-VLAN frame on af_packet and veth (MTU + 14).
  secy_cfg_.max_protected_len = wire_->mtu() + 14;
  rcu_ = std::make_unique<RcuDomain>(workers);
  sa_ = std::make_unique<SaControl>(*rcu_, secy_cfg_);
  known_ike_sas_ = std::make_unique<Published<kxclass::KnownIkeSas>>(
      *rcu_, std::make_unique<const kxclass::KnownIkeSas>());
  if (cfg.eapol_ethertype != 0) {
    punt_eapol_ = make_mbuf_ring("lc_punte_" + suffix, cfg.punt_low_ring_len, static_cast<int>(rte_socket_id()), true);
  }
  punt_priority_ = make_mbuf_ring("lc_puntp_" + suffix, cfg.punt_ring_len, static_cast<int>(rte_socket_id()), true);

  worker_counters_ = std::make_unique<WorkerCounters[]>(workers);
  // kx-new-sa-rate is shared out: each worker admits its part, at least one per second.
  const uint64_t hz = rte_get_tsc_hz();
  const uint32_t rate_share = std::max<uint32_t>(1, cfg.kx_new_sa_rate / workers);
  const uint32_t burst_share = std::max<uint32_t>(1, cfg.kx_new_sa_burst / workers);
  secy_counters_ = std::make_unique<secy::SecyCounters[]>(workers);
  contexts_.resize(workers);
  for (uint16_t i = 0; i < workers; ++i) {
    engines_.push_back(secy::make_engine(cfg.engine, i));
    WorkerContext& c = contexts_[i];
    c.index = i;
    c.plain_port = plain_->id();
    c.wire_port = wire_->id();
    c.kx_ethertype = cfg.kx_ethertype;
    c.eapol_ethertype = cfg.eapol_ethertype;
    c.punt_eapol = punt_eapol_.get();
    c.eapol_ring = i == 0 ? eapol_ring_.get() : nullptr;
    c.sa = sa_.get();
    c.rcu = rcu_.get();
    c.engine = engines_.back().get();
    c.punt_priority = punt_priority_.get();
    c.punt_to_control = punt_to_control_.get();
    c.known_ike_sas = known_ike_sas_.get();
    c.new_sa_bucket = kxclass::TokenBucket(rate_share, burst_share, hz, rte_rdtsc());
    c.control_to_wire = i == 0 ? control_to_wire_.get() : nullptr;
    c.kx_priority_ring = i == 0 ? kx_priority_ring_.get() : nullptr;
    c.kx_ring = i == 0 ? kx_ring_.get() : nullptr;
    c.kx_pool = pool_.get();
    c.counters = &worker_counters_[i];
    c.secy_counters = &secy_counters_[i];
    c.stop = &stop_;
    c.wire_down = &wire_down_;
    c.idle_sleep_us = cfg.idle_sleep_us;
    // Bench only (scripts/bench dataplane latency-cost): the histograms' cost, side by side.
    const char* no_latency = std::getenv("LINKCRYPT_BENCH_NO_LATENCY");
    c.record_latency = no_latency == nullptr || std::string_view(no_latency) != "1";
  }
}

Dataplane::~Dataplane() {
  // Members then go in reverse order: engines, SAs, rings (their mbufs freed), ports (stopped
  // and closed), and last the pool every mbuf came from.
  stop();
}

void Dataplane::start() {
  if (running_) return;
  stop_.store(false);
  for (size_t i = 0; i < lcores_.size(); ++i) {
    const int rc = rte_eal_remote_launch(worker_main, &contexts_[i], lcores_[i]);
    if (rc != 0) {
      stop();
      throw std::runtime_error("cannot launch the worker on lcore " + std::to_string(lcores_[i]));
    }
  }
  running_ = true;
}

void Dataplane::stop() {
  stop_.store(true);
  rte_eal_mp_wait_lcore();
  running_ = false;
}

DataplaneCounters Dataplane::counters() const {
  DataplaneCounters sum;
  for (size_t i = 0; i < contexts_.size(); ++i) {
    // Per-lcore blocks are written without atomics; a read may be one burst stale, never torn
    // on x86-64 (aligned 64-bit loads).
    sum.worker += worker_counters_[i];
    sum.secy += secy_counters_[i];
  }
  sum.sa = sa_->report();
  sum.plain_port = plain_->counters();
  sum.wire_port = wire_->counters();
  if (kx_ring_) {
    kx_priority_ring_drops_ += kx_priority_ring_->take_drops();
    kx_ring_drops_ += kx_ring_->take_drops();
  }
  sum.wire_port.kx_priority_rx_missed = kx_priority_ring_drops_;
  sum.wire_port.kx_rx_missed = kx_ring_drops_;
  if (eapol_ring_) eapol_ring_drops_ += eapol_ring_->take_drops();
  sum.wire_port.eapol_rx_missed = eapol_ring_drops_;
  sum.links = links_->counters();
  sum.tsc_hz = rte_get_tsc_hz();
  return sum;
}

void Dataplane::set_secy_config(const secy::SecyConfig& cfg) {
  const uint32_t limit = secy_cfg_.max_protected_len;
  secy_cfg_ = cfg;
  secy_cfg_.max_protected_len = limit;
  sa_->set_config(secy_cfg_);
}

uint32_t Dataplane::macsec_overhead() const {
  return static_cast<uint32_t>(secy::sectag_len(cfg_.secy.include_sci) + secy::kIcvLen);
}

std::vector<LinkChange> Dataplane::poll_links() {
  std::vector<LinkChange> changes = links_->poll();
  for (const LinkChange& c : changes) {
    if (c.after.role != "wire") continue;
    wire_down_.store(c.after.known && !c.after.up, std::memory_order_relaxed);
    if (c.after.mtu != 0 && c.after.mtu + 14 != secy_cfg_.max_protected_len) {
      secy_cfg_.max_protected_len = c.after.mtu + 14;
      sa_->set_config(secy_cfg_);
    }
  }
  return changes;
}

size_t Dataplane::receive_kx(std::vector<std::vector<uint8_t>>& out, size_t max) {
  size_t got = 0;
  void* obj = nullptr;
  while (got < max && (rte_ring_dequeue(punt_priority_.get(), &obj) == 0 ||
                       rte_ring_dequeue(punt_to_control_.get(), &obj) == 0)) {
    auto* m = static_cast<rte_mbuf*>(obj);
    std::vector<uint8_t> frame(rte_pktmbuf_pkt_len(m));
    // rte_pktmbuf_read copies only when the data is not contiguous; copy in the other case.
    const void* p = rte_pktmbuf_read(m, 0, static_cast<uint32_t>(frame.size()), frame.data());
    if (p != nullptr && p != frame.data()) std::memcpy(frame.data(), p, frame.size());
    rte_pktmbuf_free(m);
    out.push_back(std::move(frame));
    ++got;
  }
  return got;
}

size_t Dataplane::receive_eapol(std::vector<std::vector<uint8_t>>& out, size_t max) {
  size_t got = 0;
  void* obj = nullptr;
  while (punt_eapol_ && got < max && rte_ring_dequeue(punt_eapol_.get(), &obj) == 0) {
    auto* m = static_cast<rte_mbuf*>(obj);
    std::vector<uint8_t> frame(rte_pktmbuf_pkt_len(m));
    const void* p = rte_pktmbuf_read(m, 0, static_cast<uint32_t>(frame.size()), frame.data());
    if (p != nullptr && p != frame.data()) std::memcpy(frame.data(), p, frame.size());
    rte_pktmbuf_free(m);
    out.push_back(std::move(frame));
    ++got;
  }
  return got;
}

bool Dataplane::send_kx(std::span<const uint8_t> frame) {
  if (frame.size() < 14 || frame.size() > wire_->mtu() + 14u) return false;
  rte_mbuf* m = rte_pktmbuf_alloc(pool_.get());
  if (m == nullptr) return false;
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  if (p == nullptr) {
    rte_pktmbuf_free(m);
    return false;
  }
  std::memcpy(p, frame.data(), frame.size());
  if (rte_ring_enqueue(control_to_wire_.get(), m) != 0) {
    rte_pktmbuf_free(m);
    return false;
  }
  return true;
}

void Dataplane::set_known_ike_sas(const kxclass::KnownIkeSas& sas) {
  (void)known_ike_sas_->reclaim();
  if (*known_ike_sas_->load() == sas) return;
  known_ike_sas_->publish(std::make_unique<const kxclass::KnownIkeSas>(sas));
  if (kx_ring_) {
    // The priority ring takes the new SAs first, then the other ring lets them go: meanwhile a
    // frame may reach both (the IKE layer answers a duplicate as a retransmission), never neither
    // for a new SA. A failed swap leaves that ring's old split: counted like any frame on it.
    (void)kx_priority_ring_->set_filter(kx_spi_filter(sas, true));
    (void)kx_ring_->set_filter(kx_spi_filter(sas, false));
  }
}

unsigned Dataplane::kx_queued() const { return rte_ring_count(control_to_wire_.get()); }

std::string_view Dataplane::engine_description() const { return engines_.front()->description(); }

}  // namespace linkcrypt::dpdk
