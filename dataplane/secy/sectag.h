// The SecTAG (802.1AE-2018 clause 9): its bits, parse_sectag over untrusted bytes, build_sectag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "cipher_suite.h"

namespace linkcrypt::secy {

inline constexpr uint16_t kMacsecEtherType = 0x88E5;  // 9.3
inline constexpr size_t kAddrLen = 12;                // DA ‖ SA
inline constexpr uint16_t kTpidCtag = 0x8100;         // 802.1Q customer VLAN tag
inline constexpr uint16_t kTpidStag = 0x88A8;         // 802.1ad service VLAN tag
inline constexpr size_t kSectagLenWithSci = 16;       // 9.3: EtherType..SCI
inline constexpr size_t kSectagLenNoSci = 8;
inline constexpr size_t kShortLenLimit = 48;          // 9.7: SL is set when secure data < 48
inline constexpr size_t kMinFrameLen = 60;            // minimum Ethernet frame without FCS

// 9.4 TCI bits (the octet also carries the 2-bit AN, 9.6).
inline constexpr uint8_t kTciV = 0x80;    // version, must be 0
inline constexpr uint8_t kTciEs = 0x40;   // end station: SCI = MAC SA ‖ 00-01
inline constexpr uint8_t kTciSc = 0x20;   // SCI present
inline constexpr uint8_t kTciScb = 0x10;  // single copy broadcast (EPON)
inline constexpr uint8_t kTciE = 0x08;    // encryption
inline constexpr uint8_t kTciC = 0x04;    // changed text
inline constexpr uint8_t kAnMask = 0x03;

[[nodiscard]] constexpr size_t sectag_len(bool include_sci) {
  return include_sci ? kSectagLenWithSci : kSectagLenNoSci;
}

// Why a frame's SecTAG is not valid (9.12 / 10.6). Each one is counted as InPktsBadTag and,
// separately, under its own reason.
enum class BadTagReason : uint8_t {
  TooShort,        // fewer octets than DA/SA + SecTAG + ICV
  Version,         // V bit set (9.4.1)
  EsAndSc,         // ES and SC both set (9.4.2)
  ScbAndSc,        // SCB and SC both set (9.4.4)
  EncryptNoChange, // E set without C (9.4.5/9.4.6: not a valid combination)
  SlReserved,      // the two high bits of the SL octet are not zero (9.7)
  SlMismatch,      // SL non-zero but not the secure data length, or >= 48 (9.7)
  ShortNoSl,       // SL zero but secure data shorter than 48 octets (9.7)
  PnZero,          // PN zero with a 32-bit PN suite (9.8)
  ClearTagMismatch,// a SecTAG after fewer VLAN tags than the SecY's clear-tags (docs/framing.md)
  kCount,
};
// The reason's name as counters and metrics show it ("TooShort", "SlMismatch", ...).
[[nodiscard]] const char* bad_tag_reason_name(BadTagReason r);

// The decoded SecTAG of a received frame; parse_sectag sets every field (no default
// initializers, so a burst's array of them costs nothing to declare). `sci` is 0 without SC.
struct SecTag {
  uint8_t tci;              // TCI bits without the AN
  uint8_t an;
  uint8_t sl;
  uint8_t tag_len;          // 8 or 16
  uint32_t pn32;            // the PN field: the low 32 bits of the PN
  Sci sci;
  uint32_t secure_data_len; // from SL when SL != 0, else from the frame length
  bool has_sci;
};

// Parses and validates the SecTAG of a whole frame (DA ‖ SA ‖ SecTAG ‖ secure data ‖ ICV) whose
// EtherType at offset 12 is already known to be 0x88E5. A short frame (SL != 0) padded to the
// 60-octet Ethernet minimum is accepted: SL says where the secure data ends (9.7), the ICV
// follows it and the padding is ignored. `xpn` relaxes the PN-zero rule (a
// 64-bit PN may have zero low bits). Returns false and sets `why` on a malformed tag.
[[nodiscard]] bool parse_sectag(std::span<const uint8_t> frame, bool xpn, SecTag& out,
                                BadTagReason& why);

// Writes the SecTAG at `out` (which has sectag_len(include_sci) octets). `tci` carries the ES,
// SC, SCB, E and C bits; SL is computed from secure_data_len per 9.7. Inline: it runs per frame.
inline void build_sectag(uint8_t* out, uint8_t tci, uint8_t an, uint32_t secure_data_len,
                         uint32_t pn32, Sci sci) {
  out[0] = static_cast<uint8_t>(kMacsecEtherType >> 8);
  out[1] = static_cast<uint8_t>(kMacsecEtherType);
  out[2] = static_cast<uint8_t>(tci | (an & kAnMask));
  out[3] = secure_data_len < kShortLenLimit ? static_cast<uint8_t>(secure_data_len) : 0;
  const uint32_t pn_be = __builtin_bswap32(pn32);
  std::memcpy(out + 4, &pn_be, sizeof(pn_be));
  if (tci & kTciSc) {
    const uint64_t sci_be = __builtin_bswap64(sci);
    std::memcpy(out + 8, &sci_be, sizeof(sci_be));
  }
}

}  // namespace linkcrypt::secy
