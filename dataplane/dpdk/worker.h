// The worker lcore loop: plain RX → protect → wire TX; wire RX → validate (or punt) → plain TX.
#pragma once

#include "kx_packet_ring.h"
#include "rcu.h"
#include "sa_control.h"
#include "worker_counters.h"

#include "counters.h"
#include "engine.h"
#include "kx_classify.h"
#include "token_bucket.h"

#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>

namespace linkcrypt::dpdk {

inline constexpr uint16_t kDefaultKxEtherType = 0x88B5;  // IEEE 802 local experimental 1

// Everything one worker touches. `index` is its RX/TX queue on both ports, its RCU reader id and
// its engine's lcore slot. The counters are this lcore's own blocks (no sharing, no atomics).
// Cache-line aligned: the token bucket is written by its worker, and the contexts sit side by side.
struct alignas(64) WorkerContext {
  uint32_t index = 0;
  uint16_t plain_port = 0;
  uint16_t wire_port = 0;
  uint16_t kx_ethertype = kDefaultKxEtherType;
  const SaControl* sa = nullptr;
  RcuDomain* rcu = nullptr;
  secy::CipherEngine* engine = nullptr;
  // Key-exchange frames from the wire (all workers), sorted by kxclass::classify_kx_frame:
  // frames of a known IKE SA take the priority ring, which the control plane drains first; new
  // sessions and unknown SAs the low ring, after the token bucket; junk is dropped here.
  rte_ring* punt_priority = nullptr;
  rte_ring* punt_to_control = nullptr;  // the low-priority ring
  const Published<kxclass::KnownIkeSas>* known_ike_sas = nullptr;
  kxclass::TokenBucket new_sa_bucket;   // this lcore's share of kx-new-sa-rate
  rte_ring* control_to_wire = nullptr;  // key-exchange frames to send (worker 0 only)
  // net_af_packet wire (worker 0 only, else null): the kx EtherType's own kernel rings, so that a
  // flood cannot crowd the data out of the PMD's ring: the known IKE SAs' frames (drained first)
  // and all others. Frames punted from them take mbufs from kx_pool.
  KxPacketRing* kx_priority_ring = nullptr;
  KxPacketRing* kx_ring = nullptr;
  rte_mempool* kx_pool = nullptr;
  // MKA keying (else 0 / null): EAPOL from the wire goes to punt_eapol (worker 0 on net_af_packet
  // drains its own eapol_ring as well); EAPOL from the plain port is dropped, never protected.
  uint16_t eapol_ethertype = 0;
  rte_ring* punt_eapol = nullptr;
  KxPacketRing* eapol_ring = nullptr;
  WorkerCounters* counters = nullptr;
  secy::SecyCounters* secy_counters = nullptr;
  const std::atomic<bool>* stop = nullptr;
  // Set by the control plane while the wire link is down (null: never): plain frames are then
  // dropped before protection, so no PN is spent on frames the wire cannot carry.
  const std::atomic<bool>* wire_down = nullptr;
  // 0: busy polling (line rate). Otherwise sleep this long after 1024 empty polls in a row, so
  // that veth/CI setups with several daemons on few cores do not starve each other.
  uint32_t idle_sleep_us = 0;
  // Keep the per-frame latency histograms (WorkerCounters::*_latency). Off only to measure what
  // they cost (LINKCRYPT_BENCH_NO_LATENCY=1, read by the Dataplane at start).
  bool record_latency = true;
};

// rte_eal_remote_launch entry point; arg is a WorkerContext*. Returns 0 when stop is set.
int worker_main(void* arg);

// One iteration of the loop (exposed for tests that drive a worker without launching it).
// Returns the number of frames that arrived.
uint32_t worker_poll_once(WorkerContext& ctx);

}  // namespace linkcrypt::dpdk
