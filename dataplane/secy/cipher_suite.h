// The four 802.1AE cipher suites (Table 14-1) and their `ip macsec` names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace linkcrypt::secy {

// 802.1AE-2018 Table 14-1. XPN suites (14.7) use a 64-bit PN, an SSCI and a 96-bit salt.
enum class CipherSuite : uint8_t { GcmAes128, GcmAes256, GcmAesXpn128, GcmAesXpn256 };

// The Secure Channel Identifier (8.2.1): MAC address ‖ port number, big-endian on the wire.
using Sci = uint64_t;

inline constexpr size_t kIcvLen = 16;        // 14.5: the default (and only) ICV length
inline constexpr size_t kIvLen = 12;         // 14.5 / 14.7: 96-bit GCM IV
inline constexpr size_t kSaltLen = 12;       // 14.7: 96-bit salt
inline constexpr size_t kMaxSakLen = 32;

[[nodiscard]] constexpr bool is_xpn(CipherSuite s) {
  return s == CipherSuite::GcmAesXpn128 || s == CipherSuite::GcmAesXpn256;
}
[[nodiscard]] constexpr size_t sak_len(CipherSuite s) {
  return (s == CipherSuite::GcmAes128 || s == CipherSuite::GcmAesXpn128) ? 16 : 32;
}
// The highest PN a transmit SA may use before it must stop (10.5.2: never wrap).
[[nodiscard]] constexpr uint64_t max_pn(CipherSuite s) {
  return is_xpn(s) ? UINT64_MAX : 0xFFFFFFFFull;
}
// PNs an SA may still use when next_pn is the next one: max_pn(s) - next_pn + 1, 0 when spent.
[[nodiscard]] constexpr uint64_t pn_headroom(CipherSuite s, uint64_t next_pn) {
  const uint64_t used = next_pn ? next_pn - 1 : 0;
  return used >= max_pn(s) ? 0 : max_pn(s) - used;
}
// Default rekey-threshold PN: three quarters of the PN space.
[[nodiscard]] constexpr uint64_t default_rekey_threshold(CipherSuite s) {
  return is_xpn(s) ? 0xC000000000000000ull : 0xC0000000ull;
}

// "gcm-aes-128", "gcm-aes-256", "gcm-aes-xpn-128", "gcm-aes-xpn-256" (case-insensitive).
[[nodiscard]] std::optional<CipherSuite> parse_cipher_suite(std::string_view name);
[[nodiscard]] std::string_view cipher_suite_name(CipherSuite s);
// Every name, for messages and help: "gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256".
[[nodiscard]] std::string_view cipher_suite_names();

}  // namespace linkcrypt::secy
