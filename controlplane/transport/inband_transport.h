// The in-band transport: IKE messages in Ethernet frames on the wire port (design.md §4).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "kx_frame.h"
#include "transport.h"

namespace linkcrypt::transport {

// What the in-band transport needs from the dataplane: the punt ring in, the kx ring out.
// linkcryptd adapts dpdk::Dataplane (receive_kx / send_kx); tests use an in-memory wire.
class KxPort {
 public:
  virtual ~KxPort() = default;
  virtual size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) = 0;
  virtual bool send_frame(std::span<const uint8_t> frame) = 0;
  [[nodiscard]] virtual MacAddress mac() const = 0;
};

struct InbandCounters {
  uint64_t rx_frames = 0;
  uint64_t rx_too_short = 0;
  uint64_t rx_wrong_ethertype = 0;
  uint64_t rx_bad_length = 0;
  uint64_t tx_frames = 0;
  uint64_t tx_failed = 0;  // no mbuf / ring full: IKE retransmits
};

class InbandTransport final : public Transport {
 public:
  InbandTransport(KxPort& port, uint16_t ethertype) : port_(port), ethertype_(ethertype) {}

  void send(const ike::Datagram& d) override;
  size_t receive(std::vector<InboundMessage>& out, size_t max) override;
  [[nodiscard]] std::string_view name() const override { return "inband"; }
  [[nodiscard]] CounterList counters() const override;
  [[nodiscard]] const InbandCounters& inband_counters() const { return counters_; }

 private:
  KxPort& port_;
  uint16_t ethertype_;
  std::vector<std::vector<uint8_t>> frames_;  // reused receive buffer
  InbandCounters counters_;
};

}  // namespace linkcrypt::transport
