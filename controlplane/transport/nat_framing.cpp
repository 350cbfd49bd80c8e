// UDP 4500 framing of IKE messages: the 4-octet non-ESP marker (RFC 3948 2.2, RFC 7296 2.23).
#include "nat_framing.h"

#include "byte_reader.h"

namespace linkcrypt::transport {

NatFrame parse_nat_frame(std::span<const uint8_t> datagram) {
  // RFC 3948 2.3: a NAT keepalive is exactly one octet of 0xFF.
  if (datagram.size() == 1 && datagram[0] == 0xFF) return {NatFrameKind::Keepalive, {}};
  ByteReader in(datagram);
  uint32_t marker = 0;
  if (!in.read_u32(marker)) return {NatFrameKind::Malformed, {}};
  // RFC 3948 2.2: the first four octets are the ESP SPI, never zero; zero marks non-ESP (IKE).
  if (marker != 0) return {NatFrameKind::Esp, {}};
  if (in.empty()) return {NatFrameKind::Malformed, {}};
  return {NatFrameKind::Ike, in.rest()};
}

std::vector<uint8_t> build_nat_frame(std::span<const uint8_t> ike) {
  std::vector<uint8_t> out(4 + ike.size(), 0);
  std::copy(ike.begin(), ike.end(), out.begin() + 4);
  return out;
}

}  // namespace linkcrypt::transport
