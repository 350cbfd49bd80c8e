// Adapters from the DPDK dataplane to the keying side: KeySink over SaControl, KxPort over the kx rings.
#pragma once

#include <cstdint>

#include "dataplane.h"
#include "inband_transport.h"
#include "key_sink.h"
#include "keylog.h"

namespace linkcrypt::daemon {

class DataplaneKeySink final : public keying::KeySink {
 public:
  // rekey_pn_threshold: TxSaParams.rekey_threshold (0: the suite's default, 10.5.2).
  DataplaneKeySink(dpdk::Dataplane& dp, uint64_t rekey_pn_threshold)
      : dp_(dp), rekey_pn_threshold_(rekey_pn_threshold) {}
  void install_rx(const ike::ChildKeysReady& k) override;
  void install_tx(const ike::ChildKeysReady& k) override;
  bool switch_tx(uint8_t an) override { return dp_.sa().switch_tx_an(an); }
  void retire_tx(uint8_t an) override { dp_.sa().retire_tx_sa(an); }
  void retire_rx(uint64_t sci, uint8_t an) override { dp_.sa().retire_rx_sa(sci, an); }
  [[nodiscard]] uint64_t rx_ok(uint64_t sci, uint8_t an) const override;
  [[nodiscard]] uint64_t tx_octets(uint8_t an) const override;
  [[nodiscard]] bool tx_threshold_reached() const override { return dp_.sa().tx_threshold_reached(); }
  [[nodiscard]] uint64_t drops() const override { return dpdk::total_drops(dp_.counters()); }
  // SIGHUP: the threshold for transmit SAs installed from now on (the active one keeps its own).
  void set_rekey_pn_threshold(uint64_t v) { rekey_pn_threshold_ = v; }
  [[nodiscard]] uint64_t rekey_pn_threshold() const { return rekey_pn_threshold_; }
  // --keylog: every SA installed from now on gets its line (nullptr: off).
  void set_keylog(Keylog* keylog) { keylog_ = keylog; }

 private:
  dpdk::Dataplane& dp_;
  uint64_t rekey_pn_threshold_;
  Keylog* keylog_ = nullptr;
};

class DataplaneKxPort final : public transport::KxPort {
 public:
  explicit DataplaneKxPort(dpdk::Dataplane& dp);
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override {
    return dp_.receive_kx(out, max);
  }
  bool send_frame(std::span<const uint8_t> frame) override { return dp_.send_kx(frame); }
  [[nodiscard]] transport::MacAddress mac() const override { return mac_; }

 private:
  dpdk::Dataplane& dp_;
  transport::MacAddress mac_{};
};

// keying = mka: MKPDUs in from the EAPOL punt ring, out on the wire port (the kx send ring: never
// through the SecY, never on the plain port).
class DataplaneEapolPort final : public transport::KxPort {
 public:
  explicit DataplaneEapolPort(dpdk::Dataplane& dp) : dp_(dp), mac_(DataplaneKxPort(dp).mac()) {}
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override {
    return dp_.receive_eapol(out, max);
  }
  bool send_frame(std::span<const uint8_t> frame) override { return dp_.send_kx(frame); }
  [[nodiscard]] transport::MacAddress mac() const override { return mac_; }

 private:
  dpdk::Dataplane& dp_;
  transport::MacAddress mac_{};
};

}  // namespace linkcrypt::daemon
