// UDP 4500 framing of IKE messages: the 4-octet non-ESP marker (RFC 3948 2.2, RFC 7296 2.23).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace linkcrypt::transport {

enum class NatFrameKind : uint8_t {
  Ike,        // non-ESP marker followed by an IKE message
  Esp,        // a non-zero SPI: an ESP packet (we carry no ESP, so it is dropped)
  Keepalive,  // the single 0xFF octet of a NAT keepalive (RFC 3948 2.3)
  Malformed,  // too short to be any of the above
};

struct NatFrame {
  NatFrameKind kind = NatFrameKind::Malformed;
  std::span<const uint8_t> ike;  // the IKE message when kind == Ike
};

// Classifies one datagram received on UDP 4500 and, for IKE, strips the marker.
[[nodiscard]] NatFrame parse_nat_frame(std::span<const uint8_t> datagram);

// Prepends the non-ESP marker to an IKE message sent on UDP 4500.
[[nodiscard]] std::vector<uint8_t> build_nat_frame(std::span<const uint8_t> ike);

}  // namespace linkcrypt::transport
