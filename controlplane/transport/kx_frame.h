// In-band key-exchange framing: one IKE message per Ethernet frame on the wire port (design.md §4).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace linkcrypt::transport {

using MacAddress = std::array<uint8_t, 6>;

// 802.1Q-2018 Table 8-1: a link-local group address no conforming bridge forwards, so IKE
// frames stay on the one link between the two boxes.
inline constexpr MacAddress kKxDestination{0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};
inline constexpr uint16_t kDefaultKxEtherType = 0x88B5;  // IEEE 802 local experimental 1
inline constexpr size_t kEthernetHeaderLen = 14;
inline constexpr size_t kIkeHeaderLen = 28;  // RFC 7296 3.1

enum class KxFrameDrop : uint8_t {
  TooShort,        // shorter than Ethernet + IKE header
  WrongEtherType,  // not our kx EtherType (the dataplane should not have punted it)
  BadLength,       // IKE Length field below the header size or beyond the frame
};
[[nodiscard]] std::string_view kx_frame_drop_name(KxFrameDrop d);

// The IKE message inside `frame`. The IKE header's Length field (RFC 7296 3.1) says where the
// message ends: the rest is Ethernet padding (frames are at least 60 octets) and is ignored.
[[nodiscard]] std::optional<std::span<const uint8_t>> parse_kx_frame(
    std::span<const uint8_t> frame, uint16_t ethertype, KxFrameDrop& why);

// DA = kKxDestination, SA = `source` (the wire port's MAC), `ethertype`, then the message.
[[nodiscard]] std::vector<uint8_t> build_kx_frame(const MacAddress& source, uint16_t ethertype,
                                                  std::span<const uint8_t> ike);

}  // namespace linkcrypt::transport
