// In-band key-exchange framing: parse (bounds-checked, padding trimmed) and build.
#include "kx_frame.h"

#include <algorithm>

#include "byte_reader.h"

namespace linkcrypt::transport {

std::string_view kx_frame_drop_name(KxFrameDrop d) {
  switch (d) {
    case KxFrameDrop::TooShort: return "too_short";
    case KxFrameDrop::WrongEtherType: return "wrong_ethertype";
    case KxFrameDrop::BadLength: return "bad_length";
  }
  return "unknown";
}

std::optional<std::span<const uint8_t>> parse_kx_frame(std::span<const uint8_t> frame,
                                                       uint16_t ethertype, KxFrameDrop& why) {
  ByteReader in(frame);
  std::span<const uint8_t> macs;
  uint16_t type = 0;
  if (!in.read_bytes(12, macs) || !in.read_u16(type)) {
    why = KxFrameDrop::TooShort;
    return std::nullopt;
  }
  if (type != ethertype) {
    why = KxFrameDrop::WrongEtherType;
    return std::nullopt;
  }
  const std::span<const uint8_t> payload = in.rest();
  // RFC 7296 3.1: the Length field is the last 4 octets of the 28-octet header.
  ByteReader hdr(payload);
  std::span<const uint8_t> skip;
  uint32_t ike_len = 0;
  if (!hdr.read_bytes(kIkeHeaderLen - 4, skip) || !hdr.read_u32(ike_len)) {
    why = KxFrameDrop::TooShort;
    return std::nullopt;
  }
  if (ike_len < kIkeHeaderLen || ike_len > payload.size()) {
    why = KxFrameDrop::BadLength;
    return std::nullopt;
  }
  return payload.first(ike_len);
}

std::vector<uint8_t> build_kx_frame(const MacAddress& source, uint16_t ethertype,
                                    std::span<const uint8_t> ike) {
  // Sized once and filled in place (GCC 12 misreads chained inserts as overflows).
  std::vector<uint8_t> out(kEthernetHeaderLen + ike.size());
  std::copy(kKxDestination.begin(), kKxDestination.end(), out.begin());
  std::copy(source.begin(), source.end(), out.begin() + 6);
  out[12] = static_cast<uint8_t>(ethertype >> 8);
  out[13] = static_cast<uint8_t>(ethertype & 0xFF);
  std::copy(ike.begin(), ike.end(), out.begin() + kEthernetHeaderLen);
  return out;
}

}  // namespace linkcrypt::transport
