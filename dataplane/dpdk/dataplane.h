// Dataplane: owns pools, ports, rings, engines and worker state; launches and stops the workers.
#pragma once

#include "dataplane_counters.h"
#include "eal.h"
#include "handles.h"
#include "kx_packet_ring.h"
#include "link_monitor.h"
#include "port.h"
#include "rcu.h"
#include "sa_control.h"
#include "worker.h"
#include "worker_counters.h"

#include "config.h"
#include "counters.h"
#include "engine.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace linkcrypt::dpdk {

struct DataplaneConfig {
  PortConfig plain;
  PortConfig wire;
  uint32_t plain_mtu = 1500;      // the largest plain L2 payload carried; wire needs +32
  uint32_t plain_vlan_tags = 0;   // 802.1Q tags a full-size plain frame may carry: wire needs +4 each
  uint32_t mbuf_count = 8191;     // per pool (one pool for both ports)
  uint32_t punt_ring_len = 1024;  // power of two: the priority punt ring and the kx send ring
  uint32_t punt_low_ring_len = 256;  // power of two: new sessions / unknown IKE SAs (bounded)
  // net_af_packet wire: slots in the kx EtherType's own rings (known IKE SAs', everyone else's)
  uint32_t kx_priority_ring_frames = 256;
  uint32_t kx_ring_frames = 4096;
  // New-session IKE_SA_INITs and frames of unknown IKE SAs admitted per second (all workers
  // together; each worker gets an equal share) and the burst allowed above that rate.
  uint32_t kx_new_sa_rate = 200;
  uint32_t kx_new_sa_burst = 50;
  uint16_t kx_ethertype = kDefaultKxEtherType;
  // MKA keying: the EAPOL EtherType (0x888E) whose wire frames are punted to the control plane
  // (their own packet ring on net_af_packet) and whose plain frames are dropped; 0: off.
  uint16_t eapol_ethertype = 0;
  uint32_t eapol_ring_frames = 256;
  secy::EngineKind engine = secy::EngineKind::IpsecMb;
  uint32_t idle_sleep_us = 0;
  secy::SecyConfig secy;
};

class Dataplane {
 public:
  // Creates everything and starts the ports; throws std::runtime_error with a clear reason
  // (start-up only). Workers are the EAL's worker lcores: at least one is required.
  Dataplane(const Eal& eal, const DataplaneConfig& cfg);
  ~Dataplane();  // stops the workers if still running, then the ports
  Dataplane(const Dataplane&) = delete;
  Dataplane& operator=(const Dataplane&) = delete;

  void start();
  void stop();

  // The control plane's interface to the SAs (main lcore only).
  [[nodiscard]] SaControl& sa() { return *sa_; }
  // Changes the SecY settings (validate_frames, replay, ...) but keeps the OutPktsTooLong limit
  // that follows the wire MTU: use this rather than sa().set_config, which would reset it.
  void set_secy_config(const secy::SecyConfig& cfg);
  [[nodiscard]] DataplaneCounters counters() const;

  // Key-exchange frames punted from the wire; each is a whole Ethernet frame. The priority
  // ring (known IKE SAs) is drained before the low one, so the established session's messages
  // (liveness checks, rekeys) are never queued behind a flood. Oldest first within each ring.
  // Returns how many were appended to out (at most max).
  size_t receive_kx(std::vector<std::vector<uint8_t>>& out, size_t max);
  // Queues one whole Ethernet frame (DA‖SA‖EtherType‖payload) for the wire. False when no mbuf
  // is free, the frame is too long, or the ring is full (the caller retries on its timer).
  bool send_kx(std::span<const uint8_t> frame);
  // Key-exchange frames queued by send_kx that no worker has handed to the wire port yet (the
  // shutdown waits for 0 so its IKE Delete is not lost when the workers stop).
  [[nodiscard]] unsigned kx_queued() const;
  // MKA keying: EAPOL frames punted from the wire (whole Ethernet frames, oldest first). MKPDUs
  // go out with send_kx: on the wire port only, never through the SecY.
  size_t receive_eapol(std::vector<std::vector<uint8_t>>& out, size_t max);
  // Main lcore: the IKE SAs whose frames the workers put on the priority ring. Publishes a new
  // table (RCU pointer swap) only when it differs; frees old tables once no worker holds them.
  void set_known_ike_sas(const kxclass::KnownIkeSas& sas);

  [[nodiscard]] uint32_t worker_count() const { return static_cast<uint32_t>(lcores_.size()); }
  [[nodiscard]] const Port& plain_port() const { return *plain_; }
  [[nodiscard]] const Port& wire_port() const { return *wire_; }

  // Main lcore, once per event-loop tick: link and MTU changes of both ports since the last
  // call. A wire link that is down makes the workers drop plain frames before protection
  // (WireDownDrops: no PN spent, nothing counted as sent); a new wire MTU moves the
  // OutPktsTooLong limit with it.
  std::vector<LinkChange> poll_links();
  [[nodiscard]] const LinkMonitor& links() const { return *links_; }
  // 802.1AE overhead on the wire: SecTAG (with SCI when configured) + ICV.
  [[nodiscard]] uint32_t macsec_overhead() const;
  [[nodiscard]] std::string_view engine_description() const;

 private:
  DataplaneConfig cfg_;
  std::vector<unsigned> lcores_;
  MempoolPtr pool_;
  std::unique_ptr<Port> plain_;
  std::unique_ptr<Port> wire_;
  // net_af_packet wire only: the kx EtherType's rings, the known IKE SAs' and the rest's.
  std::unique_ptr<KxPacketRing> kx_priority_ring_;
  std::unique_ptr<KxPacketRing> kx_ring_;
  mutable uint64_t kx_priority_ring_drops_ = 0;  // PACKET_STATISTICS resets on read: accumulated
  mutable uint64_t kx_ring_drops_ = 0;
  std::unique_ptr<KxPacketRing> eapol_ring_;  // MKA keying on a net_af_packet wire
  mutable uint64_t eapol_ring_drops_ = 0;
  RingPtr punt_eapol_;                        // MKA keying: EAPOL frames to the control plane
  std::unique_ptr<LinkMonitor> links_;
  secy::SecyConfig secy_cfg_;           // as last given to the SAs (max_protected_len follows the wire MTU)
  std::atomic<bool> wire_down_{false};  // read by the workers once per plain burst
  RingPtr punt_to_control_;
  RingPtr control_to_wire_;
  std::unique_ptr<RcuDomain> rcu_;
  std::unique_ptr<SaControl> sa_;
  std::unique_ptr<Published<kxclass::KnownIkeSas>> known_ike_sas_;
  RingPtr punt_priority_;
  std::vector<std::unique_ptr<secy::CipherEngine>> engines_;
  std::unique_ptr<WorkerCounters[]> worker_counters_;
  std::unique_ptr<secy::SecyCounters[]> secy_counters_;
  std::vector<WorkerContext> contexts_;
  std::atomic<bool> stop_{false};
  bool running_ = false;
};

}  // namespace linkcrypt::dpdk
