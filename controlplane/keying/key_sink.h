// KeySink: what the keying controller needs from the dataplane's SA tables (SaControl in linkcryptd).
#pragma once

#include <cstdint>

#include "ike_session.h"

namespace linkcrypt::keying {

// Kept DPDK-free so the controller is unit-testable; linkcryptd implements it over
// dpdk::SaControl, tests over an in-memory table. Called from the control-plane thread only.
class KeySink {
 public:
  virtual ~KeySink() = default;
  // The receive SA of k.inbound (the peer's SCI, k.inbound.an), replacing any SA on that AN.
  // With KeyingSetup::forget_keys_after_install a rekey-collision survivor comes back with empty
  // keys: the sink installs again what it was given for k.key_id (install_tx likewise).
  virtual void install_rx(const ike::ChildKeysReady& k) = 0;
  // The transmit SA of k.outbound, installed but not carrying traffic (802.1AE 10.7.21).
  virtual void install_tx(const ike::ChildKeysReady& k) = 0;
  // encodingSA := an. False when no transmit SA is installed on that AN.
  virtual bool switch_tx(uint8_t an) = 0;
  virtual void retire_tx(uint8_t an) = 0;
  virtual void retire_rx(uint64_t sci, uint8_t an) = 0;
  // InPktsOK of one receive SA (0 if absent): the responder's cue to switch (design.md §4 step 4).
  [[nodiscard]] virtual uint64_t rx_ok(uint64_t sci, uint8_t an) const = 0;
  // Octets protected with the transmit SA on `an` (bytes rotation trigger).
  [[nodiscard]] virtual uint64_t tx_octets(uint8_t an) const = 0;
  // 802.1AE 10.5.2: the active transmit SA has reached its rekey-threshold PN.
  [[nodiscard]] virtual bool tx_threshold_reached() const = 0;
  // Every drop counter the dataplane keeps, summed (a rotation's frames_dropped is its delta).
  [[nodiscard]] virtual uint64_t drops() const = 0;
};

}  // namespace linkcrypt::keying
