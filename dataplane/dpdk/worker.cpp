// Worker loop: bursts of 32, no locks, allocation, syscalls or logging; every mbuf sent or freed once.
#include "worker.h"

#include "protect.h"
#include "validate.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstring>

namespace linkcrypt::dpdk {
namespace {

constexpr uint16_t kBurst = 32;
constexpr uint32_t kIdleLoopsBeforeSleep = 1024;
const kxclass::KnownIkeSas kNoKnownIkeSas{};  // a context without a published table (tests)

// Frees the mbufs tx_burst did not take; returns how many that was.
inline uint16_t send_or_free(uint16_t port, uint16_t queue, rte_mbuf** pkts, uint16_t n) {
  if (n == 0) return 0;
  const uint16_t sent = rte_eth_tx_burst(port, queue, pkts, n);
  if (sent < n) rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  return static_cast<uint16_t>(n - sent);
}

// Per-stage TSC accounting (cycles, frames, cheapest full burst), what `bench dataplane` reads.
inline void record_stage(uint64_t spent, uint16_t frames, uint64_t& cycles, uint64_t& count,
                         uint64_t& min_burst_cycles) {
  cycles += spent;
  count += frames;
  if (frames == kBurst && spent < min_burst_cycles) min_burst_cycles = spent;
}

// Sends a stage's output: `sent` counts what the port took, `full` what its full queue refused.
inline void send_counted(uint16_t port, uint16_t queue, rte_mbuf** pkts, uint16_t n,
                         uint64_t& sent, uint64_t& full) {
  const uint16_t dropped = send_or_free(port, queue, pkts, n);
  sent += n - dropped;
  full += dropped;
}

// EtherType at offset 12, or 0 when the frame is too short to have one.
inline uint16_t ethertype_of(const rte_mbuf* m) {
  if (rte_pktmbuf_data_len(m) < 14) return 0;
  const auto* p = rte_pktmbuf_mtod(m, const uint8_t*);
  return static_cast<uint16_t>((p[12] << 8) | p[13]);
}

// Touch every frame's first line before the burst is protected: protect_burst writes the SecTAG
// of all frames (IVs are built for the whole burst before the GCM calls).
inline void prefetch_frames(rte_mbuf** pkts, uint16_t n) {
  for (uint16_t i = 0; i < n; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], const void*));
}

// Chained mbufs (jumbo frames on some PMDs) are made contiguous: the SecY works on one buffer.
inline bool make_contiguous(rte_mbuf* m) { return m->nb_segs == 1 || rte_pktmbuf_linearize(m) == 0; }

void plain_to_wire(WorkerContext& ctx, const SaTables& t, rte_mbuf** pkts, uint16_t n) {
  WorkerCounters& c = *ctx.counters;
  const uint64_t start = rte_rdtsc();
  prefetch_frames(pkts, n);
  if (ctx.wire_down != nullptr && ctx.wire_down->load(std::memory_order_relaxed)) {
    c.wire_down_drops += n;  // the kernel would discard them after we spent PNs on them
    rte_pktmbuf_free_bulk(pkts, n);
    c.protect_cycles += rte_rdtsc() - start;
    return;
  }
  if (t.tx_active == nullptr) {
    // Must-secure (design §1): no transmit SA, nothing leaves in the clear.
    secy::count_tx_no_sa(n, *ctx.secy_counters);
    rte_pktmbuf_free_bulk(pkts, n);
    c.protect_cycles += rte_rdtsc() - start;
    return;
  }
  const uint16_t tag_len = static_cast<uint16_t>(secy::sectag_len(t.cfg.include_sci));
  secy::FrameRef frames[kBurst];
  rte_mbuf* ready[kBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (ctx.eapol_ethertype != 0 && ethertype_of(m) == ctx.eapol_ethertype) {
      // MKA keying: the plain side's EAPOL is not ours to carry (docs/mka.md): MKPDUs on the
      // wire are the control plane's alone.
      ++c.plain_eapol_dropped;
      rte_pktmbuf_free(m);
      continue;
    }
    if (!make_contiguous(m)) {
      ++c.multi_segment;
      rte_pktmbuf_free(m);
      continue;
    }
    const uint32_t plain_len = rte_pktmbuf_pkt_len(m);
    // IN-PLACE contract (secy/protect.h): SecTAG room before the frame, ICV room after it.
    if (rte_pktmbuf_headroom(m) < tag_len || rte_pktmbuf_tailroom(m) < secy::kIcvLen) {
      ++c.no_room;
      rte_pktmbuf_free(m);
      continue;
    }
    uint8_t* data = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, tag_len));
    (void)rte_pktmbuf_append(m, secy::kIcvLen);
    frames[k] = {data, plain_len};
    ready[k++] = m;
  }
  secy::ProtectVerdict verdicts[kBurst];
  const secy::ProtectBurstResult r =
      secy::protect_burst(*ctx.engine, *t.tx_active, t.cfg, frames, k, verdicts, *ctx.secy_counters);
  if (r.threshold_crossed) ++c.pn_threshold_events;
  rte_mbuf* out[kBurst];
  uint16_t o = 0;
  for (uint16_t i = 0; i < k; ++i) {
    if (verdicts[i] == secy::ProtectVerdict::Ok) {
      out[o++] = ready[i];  // length already plain + SecTAG + ICV
    } else {
      rte_pktmbuf_free(ready[i]);  // counted by the SecY under its 802.1AE / own counter
    }
  }
  const uint64_t spent = rte_rdtsc() - start;
  record_stage(spent, n, c.protect_cycles, c.protect_frames, c.protect_min_burst_cycles);
  if (ctx.record_latency) c.protect_latency.add(spent, o);
  send_counted(ctx.wire_port, static_cast<uint16_t>(ctx.index), out, o, c.wire_tx, c.wire_tx_full);
}

// Where one key-exchange frame goes (issue 15): an established session's messages must win over
// a flood of new-session requests or junk on the same EtherType. Counts what it drops.
enum class KxRoute : uint8_t { Priority, Low, Drop };

inline KxRoute route_kx(WorkerContext& ctx, const kxclass::KnownIkeSas& known, std::span<const uint8_t> frame,
                        uint64_t now) {
  switch (kxclass::classify_kx_frame(frame, known)) {
    case kxclass::KxClass::KnownSa:
      return KxRoute::Priority;
    case kxclass::KxClass::NewInit:
    case kxclass::KxClass::UnknownSa:
      if (ctx.new_sa_bucket.take(now)) return KxRoute::Low;
      ++ctx.counters->kx_rate_limited;
      return KxRoute::Drop;
    case kxclass::KxClass::Junk:
      break;
  }
  ++ctx.counters->kx_junk;
  return KxRoute::Drop;
}

// Held until the quiescent report, like the SA tables.
inline const kxclass::KnownIkeSas& known_ike_sas(const WorkerContext& ctx) {
  return ctx.known_ike_sas != nullptr ? *ctx.known_ike_sas->load() : kNoKnownIkeSas;
}

// The frames route_kx passed, onto the priority and the low ring; what a full ring refuses is freed.
void enqueue_kx(WorkerContext& ctx, rte_mbuf** prio, uint16_t np, rte_mbuf** low, uint16_t nl) {
  WorkerCounters& c = *ctx.counters;
  if (np != 0) {
    const unsigned queued = rte_ring_enqueue_burst(ctx.punt_priority, reinterpret_cast<void**>(prio), np, nullptr);
    c.kx_punted += queued;
    c.kx_punted_priority += queued;
    if (queued < np) {
      c.kx_priority_full += np - queued;
      rte_pktmbuf_free_bulk(prio + queued, np - queued);
    }
  }
  if (nl != 0) {
    const unsigned queued = rte_ring_enqueue_burst(ctx.punt_to_control, reinterpret_cast<void**>(low), nl, nullptr);
    c.kx_punted += queued;
    if (queued < nl) {
      c.kx_punt_full += nl - queued;
      rte_pktmbuf_free_bulk(low + queued, nl - queued);
    }
  }
}

// Sorts the burst's key-exchange frames that came with the data (any port without a kx ring).
void punt_kx(WorkerContext& ctx, rte_mbuf** kx, uint16_t n) {
  const kxclass::KnownIkeSas& known = known_ike_sas(ctx);
  rte_mbuf* prio[kBurst];
  rte_mbuf* low[kBurst];
  rte_mbuf* drop[kBurst];  // freed in one call: under a flood this is most of the burst
  uint16_t np = 0;
  uint16_t nl = 0;
  uint16_t nd = 0;
  const uint64_t now = rte_rdtsc();
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = kx[i];
    const std::span<const uint8_t> frame(rte_pktmbuf_mtod(m, const uint8_t*), rte_pktmbuf_data_len(m));
    switch (route_kx(ctx, known, frame, now)) {
      case KxRoute::Priority:
        prio[np++] = m;
        break;
      case KxRoute::Low:
        low[nl++] = m;
        break;
      case KxRoute::Drop:
        drop[nd++] = m;
        break;
    }
  }
  if (nd != 0) rte_pktmbuf_free_bulk(drop, nd);
  enqueue_kx(ctx, prio, np, low, nl);
}

// Worker 0 on a net_af_packet wire: the kx EtherType's own ring (kx_packet_ring.h). Frames are
// sorted where the kernel put them; only those passed on are copied into an mbuf, so a flood's
// frames cost neither an mbuf nor a copy.
uint16_t kx_ring_to_control(WorkerContext& ctx, KxPacketRing& ring) {
  WorkerCounters& c = *ctx.counters;
  const kxclass::KnownIkeSas& known = known_ike_sas(ctx);
  rte_mbuf* prio[kBurst];
  rte_mbuf* low[kBurst];
  uint16_t np = 0;
  uint16_t nl = 0;
  const uint64_t now = rte_rdtsc();
  const uint16_t n = ring.drain(kBurst, [&](std::span<const uint8_t> frame) {
    const KxRoute route = route_kx(ctx, known, frame, now);
    if (route == KxRoute::Drop) return;
    rte_mbuf* m = rte_pktmbuf_alloc(ctx.kx_pool);
    char* p = m != nullptr && frame.size() <= UINT16_MAX ? rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())) : nullptr;
    if (p == nullptr) {
      rte_pktmbuf_free(m);  // null-safe
      ++c.kx_no_mbuf;
      return;
    }
    std::memcpy(p, frame.data(), frame.size());
    if (route == KxRoute::Priority) {
      prio[np++] = m;
    } else {
      low[nl++] = m;
    }
  });
  c.wire_rx += n;
  enqueue_kx(ctx, prio, np, low, nl);
  return n;
}

// MKA keying: EAPOL frames onto the EAPOL punt ring; what a full ring refuses is freed.
void punt_eapol(WorkerContext& ctx, rte_mbuf** pkts, uint16_t n) {
  if (n == 0) return;
  const unsigned queued = rte_ring_enqueue_burst(ctx.punt_eapol, reinterpret_cast<void**>(pkts), n, nullptr);
  ctx.counters->eapol_punted += queued;
  if (queued < n) {
    ctx.counters->eapol_punt_full += n - queued;
    rte_pktmbuf_free_bulk(pkts + queued, n - queued);
  }
}

// Worker 0 on a net_af_packet wire with MKA keying: the EAPOL EtherType's own ring.
uint16_t eapol_ring_to_control(WorkerContext& ctx, KxPacketRing& ring) {
  rte_mbuf* out[kBurst];
  uint16_t k = 0;
  const uint16_t n = ring.drain(kBurst, [&](std::span<const uint8_t> frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(ctx.kx_pool);
    char* p = m != nullptr && frame.size() <= UINT16_MAX ? rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())) : nullptr;
    if (p == nullptr) {
      rte_pktmbuf_free(m);  // null-safe
      ++ctx.counters->eapol_no_mbuf;
      return;
    }
    std::memcpy(p, frame.data(), frame.size());
    out[k++] = m;
  });
  ctx.counters->wire_rx += n;
  punt_eapol(ctx, out, k);
  return n;
}

void wire_to_plain(WorkerContext& ctx, const SaTables& t, rte_mbuf** pkts, uint16_t n) {
  WorkerCounters& c = *ctx.counters;
  const uint64_t start = rte_rdtsc();
  // No prefetch pass here: the loop below reads every frame's EtherType, which brings in the
  // first line the SecY reads next (a separate prefetch loop measured 1-2 cycles per frame).
  secy::FrameRef frames[kBurst];
  rte_mbuf* held[kBurst];
  rte_mbuf* punt[kBurst];
  rte_mbuf* eapol[kBurst];
  uint16_t k = 0;
  uint16_t p = 0;
  uint16_t e = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (!make_contiguous(m)) {
      ++c.multi_segment;
      rte_pktmbuf_free(m);
      continue;
    }
    // Key-exchange frames are the only cleartext allowed on the wire (design §1): the control
    // plane gets them, the SecY never sees them.
    if (ethertype_of(m) == ctx.kx_ethertype) {
      punt[p++] = m;
      continue;
    }
    if (ctx.eapol_ethertype != 0 && ethertype_of(m) == ctx.eapol_ethertype) {
      eapol[e++] = m;  // MKA keying: MKPDUs are cleartext by design (802.1X-2020 11.11)
      continue;
    }
    frames[k] = {rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_pkt_len(m)};
    held[k++] = m;
  }
  if (p != 0) punt_kx(ctx, punt, p);
  if (e != 0) punt_eapol(ctx, eapol, e);
  secy::ValidateResult results[kBurst];
  (void)secy::validate_burst(*ctx.engine, *t.rx, t.cfg, frames, k, results, *ctx.secy_counters);
  rte_mbuf* out[kBurst];
  uint16_t o = 0;
  for (uint16_t i = 0; i < k; ++i) {
    rte_mbuf* m = held[i];
    if (!secy::rx_delivers(results[i].verdict)) {
      rte_pktmbuf_free(m);  // counted by the SecY (InPktsNoTag, InPktsNotValid, InPktsLate, ...)
      continue;
    }
    // The plain frame is data + plain_offset for plain_len octets (secy/validate.h), inside
    // this one segment (made contiguous above): set the three fields rte_pktmbuf_adj and
    // rte_pktmbuf_trim would, without their checks and segment walk.
    m->data_off = static_cast<uint16_t>(m->data_off + results[i].plain_offset);
    m->data_len = static_cast<uint16_t>(results[i].plain_len);
    m->pkt_len = results[i].plain_len;
    out[o++] = m;
  }
  const uint64_t spent = rte_rdtsc() - start;
  record_stage(spent, k, c.validate_cycles, c.validate_frames, c.validate_min_burst_cycles);
  if (ctx.record_latency) c.validate_latency.add(spent, o);
  send_counted(ctx.plain_port, static_cast<uint16_t>(ctx.index), out, o, c.plain_tx, c.plain_tx_full);
}

void control_to_wire(WorkerContext& ctx) {
  rte_mbuf* pkts[kBurst];
  const unsigned n = rte_ring_dequeue_burst(ctx.control_to_wire, reinterpret_cast<void**>(pkts), kBurst, nullptr);
  if (n == 0) return;
  const uint16_t dropped = send_or_free(ctx.wire_port, static_cast<uint16_t>(ctx.index), pkts, static_cast<uint16_t>(n));
  ctx.counters->kx_sent += n - dropped;
  ctx.counters->kx_send_full += dropped;
  ctx.counters->wire_tx += n - dropped;
}

}  // namespace

uint32_t worker_poll_once(WorkerContext& ctx) {
  const SaTables& t = *ctx.sa->load();  // held until the quiescent report below
  const uint16_t q = static_cast<uint16_t>(ctx.index);
  rte_mbuf* pkts[kBurst];

  const uint16_t n_plain = rte_eth_rx_burst(ctx.plain_port, q, pkts, kBurst);
  if (n_plain != 0) {
    ctx.counters->plain_rx += n_plain;
    plain_to_wire(ctx, t, pkts, n_plain);
  }
  const uint16_t n_wire = rte_eth_rx_burst(ctx.wire_port, q, pkts, kBurst);
  if (n_wire != 0) {
    ctx.counters->wire_rx += n_wire;
    wire_to_plain(ctx, t, pkts, n_wire);
  }
  uint16_t n_kx = 0;
  if (ctx.kx_priority_ring != nullptr) n_kx += kx_ring_to_control(ctx, *ctx.kx_priority_ring);
  if (ctx.kx_ring != nullptr) n_kx += kx_ring_to_control(ctx, *ctx.kx_ring);
  if (ctx.eapol_ring != nullptr) n_kx += eapol_ring_to_control(ctx, *ctx.eapol_ring);
  if (ctx.control_to_wire != nullptr) control_to_wire(ctx);
  return n_plain + n_wire + n_kx;
}

int worker_main(void* arg) {
  WorkerContext& ctx = *static_cast<WorkerContext*>(arg);
  ctx.rcu->reader_online(ctx.index);
  uint32_t empty_polls = 0;
  while (!ctx.stop->load(std::memory_order_relaxed)) {
    const uint32_t moved = worker_poll_once(ctx);
    ctx.rcu->reader_quiescent(ctx.index);  // no SaTables pointer is held past this point
    if (moved != 0) {
      ++ctx.counters->busy_loops;
      empty_polls = 0;
      continue;
    }
    ++ctx.counters->idle_loops;
    if (ctx.idle_sleep_us != 0 && ++empty_polls >= kIdleLoopsBeforeSleep) {
      rte_delay_us_sleep(ctx.idle_sleep_us);  // idle only: never while frames are flowing
    }
  }
  ctx.rcu->reader_offline(ctx.index);
  return 0;
}

}  // namespace linkcrypt::dpdk
