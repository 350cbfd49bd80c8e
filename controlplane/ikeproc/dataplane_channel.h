// The IKE process's end of its socketpair to the dataplane process: kx frames both ways, SA operations out, counters in.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "inband_transport.h"
#include "key_sink.h"
#include "keying_wire.h"
#include "unique_fd.h"

namespace linkcrypt::ikeproc {

struct ChannelCounters {
  uint64_t rx_messages = 0;
  uint64_t rx_malformed = 0;     // refused by ipc::parse, or a type only we may send
  uint64_t rx_kx_dropped = 0;    // kx frames beyond the queue's bound (IKE retransmits)
  uint64_t tx_would_block = 0;   // the dataplane's socket buffer was full: message dropped
};

// KxPort: frames the dataplane punted, and frames to send through its kx ring.
// KeySink: every operation is one typed message; the SAK leaves in InstallSa and the encoded
// buffer is wiped at once. Counters the controller reads come from the dataplane's last
// Counters message (sent every tick, 10 ms).
class DataplaneChannel final : public transport::KxPort, public keying::KeySink {
 public:
  explicit DataplaneChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] bool closed() const { return closed_; }

  // Reads what is waiting; on_rekey runs for each RekeyRequest. Returns false once the
  // dataplane has gone (EOF): the IKE process then exits and the supervisor restarts both.
  bool service(const std::function<void()>& on_rekey);
  // Waits (poll) for the dataplane's Hello with the wire port's MAC; nullopt when it closed.
  [[nodiscard]] std::optional<transport::MacAddress> wait_hello();
  void send_status(const ipc::Status& s) { send(ipc::KeyingMsg::Status, s); }
  [[nodiscard]] const ChannelCounters& counters() const { return counters_; }

  // transport::KxPort
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override;
  bool send_frame(std::span<const uint8_t> frame) override;
  [[nodiscard]] transport::MacAddress mac() const override { return mac_; }

  // keying::KeySink
  void install_rx(const ike::ChildKeysReady& k) override;
  void install_tx(const ike::ChildKeysReady& k) override;
  bool switch_tx(uint8_t an) override;
  void retire_tx(uint8_t an) override;
  void retire_rx(uint64_t sci, uint8_t an) override;
  [[nodiscard]] uint64_t rx_ok(uint64_t sci, uint8_t an) const override;
  [[nodiscard]] uint64_t tx_octets(uint8_t an) const override;
  [[nodiscard]] bool tx_threshold_reached() const override { return last_.tx_threshold_reached; }
  [[nodiscard]] uint64_t drops() const override { return last_.drops; }

 private:
  bool send(ipc::KeyingMsg type, const ipc::KeyingMessage& m);
  void install(bool tx, const ike::ChildKeysReady& k, const ike::DirectionKeys& d);
  void on_message(ipc::Decoded& d, const std::function<void()>& on_rekey);

  UniqueFd fd_;
  bool closed_ = false;
  uint32_t seq_ = 0;
  transport::MacAddress mac_{};
  std::deque<std::vector<uint8_t>> kx_in_;
  ipc::Counters last_;
  std::set<uint8_t> tx_installed_;  // switch_tx's answer: the dataplane switches to any installed AN
  std::vector<uint8_t> buf_;
  ChannelCounters counters_;
};

}  // namespace linkcrypt::ikeproc
