// Range text, the checked number parser and the EtherTypes the key exchange must not borrow.
#include "option_ranges.h"

#include <array>
#include <charconv>
#include <utility>

namespace linkcrypt::daemon {

std::string range_text(NumericRange r) {
  std::string t = r.zero_off && r.min > 0 ? "0|" : "";
  return t + std::to_string(r.min) + ".." + std::to_string(r.max);
}

std::optional<uint64_t> parse_in_range(std::string_view text, NumericRange r) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  // from_chars takes no '+' and, for unsigned types, no '-': a sign is refused, not wrapped.
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (v == 0 && r.zero_off) return v;
  if (v < r.min || v > r.max) return std::nullopt;
  return v;
}

std::optional<std::string_view> reserved_ethertype_name(uint64_t ethertype) {
  // Frames of these types are forwarded, consumed or tagged by switches and hosts on their own
  // terms; key-exchange frames carrying one would be mistaken for (or dropped as) that protocol.
  static constexpr std::array<std::pair<uint16_t, std::string_view>, 21> kReserved{{
      {0x0800, "IPv4"},
      {0x0806, "ARP"},
      {0x0842, "Wake-on-LAN"},
      {0x8035, "RARP"},
      {0x86DD, "IPv6"},
      {0x8100, "an 802.1Q VLAN tag"},
      {0x88A8, "an 802.1ad service VLAN tag"},
      {0x9100, "a QinQ VLAN tag"},
      {0x8808, "Ethernet flow control (PAUSE)"},
      {0x8809, "slow protocols (LACP)"},
      {0x8847, "MPLS"},
      {0x8848, "MPLS multicast"},
      {0x8863, "PPPoE discovery"},
      {0x8864, "PPPoE session"},
      {0x888E, "EAPOL (802.1X, MKA)"},
      {0x88CC, "LLDP"},
      {0x88E5, "MACsec itself"},
      {0x88E7, "802.1ah backbone bridging"},
      {0x88F7, "PTP"},
      {0x8906, "FCoE"},
      {0x8914, "FCoE initialization"},
  }};
  for (const auto& [type, name] : kReserved) {
    if (type == ethertype) return name;
  }
  return std::nullopt;
}

}  // namespace linkcrypt::daemon
