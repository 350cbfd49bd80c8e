// Unit tests for the in-band transport over an in-memory pair of kx rings.
#include "inband_transport.h"

#include <gtest/gtest.h>

#include <deque>

namespace linkcrypt::transport {
namespace {

// Two ends of a cable: what one sends, the other receives (the dataplane's punt path).
struct Cable {
  std::deque<std::vector<uint8_t>> a_to_b, b_to_a;
};
class CableEnd final : public KxPort {
 public:
  CableEnd(std::deque<std::vector<uint8_t>>& in, std::deque<std::vector<uint8_t>>& out, MacAddress mac)
      : in_(in), out_(out), mac_(mac) {}
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override {
    size_t n = 0;
    while (n < max && !in_.empty()) {
      out.push_back(std::move(in_.front()));
      in_.pop_front();
      ++n;
    }
    return n;
  }
  bool send_frame(std::span<const uint8_t> f) override {
    if (refuse) return false;
    out_.emplace_back(f.begin(), f.end());
    return true;
  }
  [[nodiscard]] MacAddress mac() const override { return mac_; }
  bool refuse = false;

 private:
  std::deque<std::vector<uint8_t>>& in_;
  std::deque<std::vector<uint8_t>>& out_;
  MacAddress mac_;
};

std::vector<uint8_t> ike_message(uint32_t len) {
  std::vector<uint8_t> m(len, 0x5A);
  m[24] = 0;
  m[25] = 0;
  m[26] = static_cast<uint8_t>(len >> 8);
  m[27] = static_cast<uint8_t>(len);
  return m;
}

TEST(InbandTransport, CarriesMessagesBothWaysAndCountsDrops) {
  Cable c;
  CableEnd a_port(c.b_to_a, c.a_to_b, {2, 0, 0, 0, 0, 0xa});
  CableEnd b_port(c.a_to_b, c.b_to_a, {2, 0, 0, 0, 0, 0xb});
  InbandTransport a(a_port, 0x88B5), b(b_port, 0x88B5);

  const auto msg = ike_message(64);
  a.send(ike::Datagram{msg, false});
  c.a_to_b.push_back({1, 2, 3});  // a runt
  std::vector<InboundMessage> got;
  EXPECT_EQ(b.receive(got, 32), 1u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ike, msg);
  // The sender is its source MAC (the responder binds COOKIEs to it), port 0.
  EXPECT_EQ(got[0].from.address, (std::vector<uint8_t>{2, 0, 0, 0, 0, 0xa}));
  EXPECT_EQ(got[0].from.port, 0u);
  EXPECT_EQ(b.inband_counters().rx_frames, 2u);
  EXPECT_EQ(b.inband_counters().rx_too_short, 1u);

  a_port.refuse = true;  // ring full: counted, IKE retransmits later
  a.send(ike::Datagram{msg, false});
  EXPECT_EQ(a.inband_counters().tx_failed, 1u);
  EXPECT_EQ(a.inband_counters().tx_frames, 1u);
}

}  // namespace
}  // namespace linkcrypt::transport
