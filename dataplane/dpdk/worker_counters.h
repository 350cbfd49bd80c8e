// Per-lcore dataplane counters (ports, punt path, drops we add) and TSC per-stage cycle totals.
#pragma once

#include <cstdint>
#include <string_view>

#include "latency_histogram.h"

namespace linkcrypt::dpdk {

// Written by one worker lcore only (plain increments, no atomics), summed on read with +=.
// The 802.1AE counters live in secy::SecyCounters and the SA objects; these are the rest.
struct alignas(64) WorkerCounters {
  uint64_t plain_rx = 0;            // frames received on the plain port
  uint64_t plain_tx = 0;            // frames delivered on the plain port (validated)
  uint64_t wire_rx = 0;             // frames received on the wire port
  uint64_t wire_tx = 0;             // protected frames + key-exchange frames sent on the wire
  uint64_t plain_tx_full = 0;       // delivered frames dropped: plain TX queue full
  uint64_t wire_tx_full = 0;        // protected frames dropped: wire TX queue full
  uint64_t no_room = 0;             // plain frames dropped: no head/tailroom for SecTAG/ICV
  uint64_t multi_segment = 0;       // frames dropped: chained mbuf that could not be linearised
  uint64_t wire_down_drops = 0;     // plain frames dropped: the wire link is down
  uint64_t kx_punted = 0;           // key-exchange frames from the wire handed to the control plane
  uint64_t kx_punted_priority = 0;  // ... of which on the priority ring (a known IKE SA's)
  uint64_t kx_punt_full = 0;        // ... dropped because the low-priority punt ring was full
  uint64_t kx_priority_full = 0;    // ... dropped because the priority punt ring was full
  uint64_t kx_junk = 0;             // 0x88B5 frames dropped: not an IKEv2 header we act on
  uint64_t kx_rate_limited = 0;     // new-session / unknown-SA frames over kx-new-sa-rate
  uint64_t kx_no_mbuf = 0;          // key-exchange frames from their own ring dropped: no mbuf to punt in
  uint64_t kx_sent = 0;             // key-exchange frames from the control plane sent on the wire
  uint64_t kx_send_full = 0;        // ... dropped because the wire TX queue was full
  // MKA keying only (eapol_ethertype set): EAPOL from the wire to the control plane; EAPOL from
  // the plain port is never protected nor forwarded (docs/mka.md).
  uint64_t eapol_punted = 0;        // EAPOL frames from the wire handed to the control plane
  uint64_t eapol_punt_full = 0;     // ... dropped because the EAPOL punt ring was full
  uint64_t eapol_no_mbuf = 0;       // ... from their own packet ring dropped: no mbuf to punt in
  uint64_t plain_eapol_dropped = 0; // EAPOL frames from the plain port dropped
  uint64_t pn_threshold_events = 0; // bursts in which the transmit SA crossed its rekey threshold
  // TSC cycles spent in our own processing (SecTAG room, protect/validate, mbuf fix-up), and
  // the frames they were spent on; RX/TX driver calls are excluded.
  uint64_t protect_cycles = 0;
  uint64_t protect_frames = 0;
  uint64_t validate_cycles = 0;
  uint64_t validate_frames = 0;
  // The cheapest full burst (32 frames) seen, in TSC cycles: the intrinsic per-frame cost, free
  // of preemption and cold-start noise that the averages above include on a busy machine.
  // Combined by min, not sum; UINT64_MAX until a full burst was processed.
  uint64_t protect_min_burst_cycles = UINT64_MAX;
  uint64_t validate_min_burst_cycles = UINT64_MAX;
  uint64_t busy_loops = 0;          // loop iterations that moved at least one frame
  uint64_t idle_loops = 0;
  // Each forwarded frame's time in the worker, in TSC cycles: from its burst's rx_burst
  // returning to the tx_burst call (after the hot counters: written once per burst).
  LatencyHistogram protect_latency;
  LatencyHistogram validate_latency;

  WorkerCounters& operator+=(const WorkerCounters& o) {
    plain_rx += o.plain_rx; plain_tx += o.plain_tx; wire_rx += o.wire_rx; wire_tx += o.wire_tx;
    plain_tx_full += o.plain_tx_full; wire_tx_full += o.wire_tx_full; no_room += o.no_room;
    multi_segment += o.multi_segment; wire_down_drops += o.wire_down_drops; kx_punted += o.kx_punted; kx_punt_full += o.kx_punt_full;
    kx_punted_priority += o.kx_punted_priority; kx_priority_full += o.kx_priority_full;
    kx_junk += o.kx_junk; kx_rate_limited += o.kx_rate_limited; kx_no_mbuf += o.kx_no_mbuf;
    kx_sent += o.kx_sent; kx_send_full += o.kx_send_full;
    eapol_punted += o.eapol_punted; eapol_punt_full += o.eapol_punt_full; eapol_no_mbuf += o.eapol_no_mbuf;
    plain_eapol_dropped += o.plain_eapol_dropped;
    pn_threshold_events += o.pn_threshold_events;
    protect_cycles += o.protect_cycles; protect_frames += o.protect_frames;
    validate_cycles += o.validate_cycles; validate_frames += o.validate_frames;
    if (o.protect_min_burst_cycles < protect_min_burst_cycles) protect_min_burst_cycles = o.protect_min_burst_cycles;
    if (o.validate_min_burst_cycles < validate_min_burst_cycles) validate_min_burst_cycles = o.validate_min_burst_cycles;
    busy_loops += o.busy_loops; idle_loops += o.idle_loops;
    protect_latency += o.protect_latency; validate_latency += o.validate_latency;
    return *this;
  }
};

// Calls fn(name, value) for each counter, in a stable order (the names operators see).
template <typename Fn>
void visit_counters(const WorkerCounters& c, Fn&& fn) {
  fn(std::string_view("PlainRx"), c.plain_rx);
  fn(std::string_view("PlainTx"), c.plain_tx);
  fn(std::string_view("WireRx"), c.wire_rx);
  fn(std::string_view("WireTx"), c.wire_tx);
  fn(std::string_view("PlainTxQueueFull"), c.plain_tx_full);
  fn(std::string_view("WireTxQueueFull"), c.wire_tx_full);
  fn(std::string_view("NoRoomForSecTag"), c.no_room);
  fn(std::string_view("MultiSegment"), c.multi_segment);
  fn(std::string_view("WireDownDrops"), c.wire_down_drops);
  fn(std::string_view("KxPunted"), c.kx_punted);
  fn(std::string_view("KxPuntedPriority"), c.kx_punted_priority);
  fn(std::string_view("KxPuntRingFull"), c.kx_punt_full);
  fn(std::string_view("KxPriorityRingFull"), c.kx_priority_full);
  fn(std::string_view("KxJunk"), c.kx_junk);
  fn(std::string_view("KxRateLimited"), c.kx_rate_limited);
  fn(std::string_view("KxNoMbuf"), c.kx_no_mbuf);
  fn(std::string_view("KxSent"), c.kx_sent);
  fn(std::string_view("KxSendQueueFull"), c.kx_send_full);
  fn(std::string_view("EapolPunted"), c.eapol_punted);
  fn(std::string_view("EapolPuntRingFull"), c.eapol_punt_full);
  fn(std::string_view("EapolNoMbuf"), c.eapol_no_mbuf);
  fn(std::string_view("PlainEapolDropped"), c.plain_eapol_dropped);
  fn(std::string_view("PnThresholdEvents"), c.pn_threshold_events);
  fn(std::string_view("ProtectCycles"), c.protect_cycles);
  fn(std::string_view("ProtectFrames"), c.protect_frames);
  fn(std::string_view("ValidateCycles"), c.validate_cycles);
  fn(std::string_view("ValidateFrames"), c.validate_frames);
  const auto min_or_zero = [](uint64_t v) { return v == UINT64_MAX ? 0 : v; };
  fn(std::string_view("ProtectMinBurstCycles"), min_or_zero(c.protect_min_burst_cycles));
  fn(std::string_view("ValidateMinBurstCycles"), min_or_zero(c.validate_min_burst_cycles));
  fn(std::string_view("BusyLoops"), c.busy_loops);
  fn(std::string_view("IdleLoops"), c.idle_loops);
}

}  // namespace linkcrypt::dpdk
