// MetricsSnapshot: a copy of the daemon's state taken on the event loop, read by the exporter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane.h"
#include "ike_session.h"
#include "keying_controller.h"

namespace linkcrypt::metrics {

// One installed SA, from the SecY's own SA report plus the keying controller's entry.
struct SaSnapshot {
  bool tx = false;
  secy::Sci sci = 0;
  uint8_t an = 0;
  secy::CipherSuite suite = secy::CipherSuite::GcmAesXpn256;
  std::string state;                  // tx: active | standby; rx: active | retiring
  std::optional<uint64_t> key_id;     // IKE keying only
  uint64_t next_pn = 0;
  uint64_t pn_headroom = 0;           // PNs left (0 once exhausted)
  double pn_headroom_ratio = 0;       // pn_headroom / the suite's PN space
  std::optional<double> age_s;        // since installed (IKE keying only)
  secy::TxSaCounters tx_counters;     // tx only
  secy::RxSaCounters rx_counters;     // rx only
};

struct RotationSnapshot {
  int64_t when_unix = 0;
  keying::RotationReason reason = keying::RotationReason::Operator;
  uint64_t duration_ms = 0;
  uint64_t frames_dropped = 0;
  bool complete = false;
};

// Only with IKE keying.
struct KeyingSnapshot {
  std::string link_state;             // keying::link_state_name
  std::string ike_state;              // KeyingController::ike_state()
  bool initiator = true;
  std::string ppk_id;                 // RFC 8784 PPK of the current IKE SA; empty: none
  keying::KeyingCounters counters;
  ike::SessionCounters session;       // of the current IKE SA (start at 0 with each one)
  std::optional<ike::ResponderCounters> responder;
  uint64_t rotations = 0;
  std::optional<RotationSnapshot> last_rotation;
  std::optional<double> last_handshake_unix;
  std::optional<std::string> last_failure_reason;
  bool last_failure_by_peer = false;
  double last_failure_unix = 0;
  double rekey_interval_s = 0;        // 0: no time-based rotation
};

struct MetricsSnapshot {
  double taken_unix = 0;
  double start_unix = 0;
  dpdk::DataplaneCounters counters;   // SecY, SC, port and worker counters, summed over lcores
  std::vector<SaSnapshot> sas;
  dpdk::PortLinkState plain;
  dpdk::PortLinkState wire;
  std::string link_state;             // secured | down (manual keys) or the keying link state
  std::optional<KeyingSnapshot> keying;
};

// Reads everything on the event loop (main lcore), the only thread that may touch the SA tables
// and the keying controller. `controller` is null with manual keys. `start_unix`: the daemon's
// start, wall clock.
[[nodiscard]] MetricsSnapshot take_snapshot(const dpdk::Dataplane& dp, const keying::KeyingController* controller,
                                            double start_unix);

// The wall clock as seconds since the epoch; and a steady time point converted to it.
[[nodiscard]] double unix_now();
[[nodiscard]] double to_unix(std::chrono::steady_clock::time_point t, std::chrono::steady_clock::time_point now,
                             double now_unix);

}  // namespace linkcrypt::metrics
