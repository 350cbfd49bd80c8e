// The PN reservation state file's format: key id, high-water mark, checksum (docs/keyfile.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::config {

// Names a manual transmit key without revealing it: the first 16 octets of
// SHA-256("linkcrypt pn-reservation key id v1" || SAK). A 128- or 256-bit SAK cannot be
// recovered from it; two key files with the same SAK share one reservation, which is what
// GCM needs (the key, not the file, must never see a nonce twice).
using PnKeyId = std::array<uint8_t, 16>;
[[nodiscard]] PnKeyId pn_key_id(std::span<const uint8_t> sak);
[[nodiscard]] std::string pn_key_id_hex(const PnKeyId& id);

// The state file: 40 octets, big-endian.
//   "LCPN" | version 1 | 3 zero octets | key id (16) | reserved_through (8) |
//   check: the first 8 octets of SHA-256 over the 32 octets before it.
// reserved_through is the highest PN the daemon may have sent with this key: a restart sends
// only PNs above it.
inline constexpr size_t kPnStateLen = 40;
inline constexpr uint8_t kPnStateVersion = 1;

struct PnState {
  PnKeyId key_id{};
  uint64_t reserved_through = 0;
};

enum class PnStateError : uint8_t {
  Ok,
  BadLength,     // not exactly kPnStateLen octets (truncated or trailing bytes)
  BadMagic,      // not "LCPN": some other file
  BadVersion,    // a version this daemon does not know
  BadReserved,   // the three reserved octets are not zero
  BadCheck,      // the checksum does not match: torn or corrupted write
  ZeroMark,      // reserved_through 0: no writer ever produces it
};
[[nodiscard]] std::string_view pn_state_error_name(PnStateError e);
inline constexpr PnStateError kLastPnStateError = PnStateError::ZeroMark;

// Parses the file's bytes (untrusted: the disk may hand back anything) with the byte cursor.
[[nodiscard]] PnStateError parse_pn_state(std::span<const uint8_t> in, PnState& out);
[[nodiscard]] std::vector<uint8_t> build_pn_state(const PnState& s);

}  // namespace linkcrypt::config
