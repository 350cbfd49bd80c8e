// What the XPN cipher suites (802.1AE-2018 GCM-AES-XPN-128/256) need from MKA: each SAK's 12-octet salt, each SC's SSCI, and 64-bit PNs split over SAK Use and the XPN parameter set.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "mka_crypto.h"

namespace linkcrypt::mka {

using Sci = std::array<uint8_t, 8>;
using Salt = std::array<uint8_t, 12>;

// 802.1X-2020 9.8.x (SAK's salt for an XPN suite): the 96-bit salt is the key server's MI with
// its most significant 32 bits XORed with the Key Number: octets 0-1 with the KN's 16 least
// significant bits, octets 2-3 with its 16 most significant bits; octets 4-11 are the MI's
// 64 least significant bits unchanged. The standard's wording of which half of the KN goes
// where is terse; this is exactly what wpa_supplicant's src/pae (ieee802_1x_kay.c, where it
// stores a distributed or generated SAK) does, so we follow it.
[[nodiscard]] Salt xpn_salt(std::span<const uint8_t, kMiLen> key_server_mi, uint32_t key_number);

struct SsciOf {
  Sci sci{};
  uint32_t ssci = 0;
  bool operator==(const SsciOf&) const = default;
};

// 802.1AE-2018 10.7.13 / 802.1X-2020 9.8: each SC of the CA (ours and every live peer's) gets an
// SSCI 1..N in the numerical order of the SCIs. Which end of the order gets 1 is not spelled
// out plainly; wpa_supplicant's src/pae (the SSCI loop where the latest SAK is installed)
// gives 1 to the numerically HIGHEST SCI and counts up from there, and so do we. Returned in
// SSCI order (1 first), which is also the order the key server lists the MIs in its Live Peer
// List (802.1X-2020 MKA version 3). SCIs are compared as unsigned 64-bit numbers (big-endian).
[[nodiscard]] std::vector<SsciOf> assign_sscis(const Sci& own, std::span<const Sci> peers);

// The SSCI of `sci` in an assignment, 0 if it has none.
[[nodiscard]] uint32_t ssci_of(std::span<const SsciOf> assignment, const Sci& sci);

// SAK Use carries a PN's 32 least significant bits (11.11.3); for an XPN suite the XPN
// parameter set carries its 32 most significant bits (11.11.4).
[[nodiscard]] constexpr uint32_t pn_low(uint64_t pn) { return static_cast<uint32_t>(pn); }
[[nodiscard]] constexpr uint32_t pn_high(uint64_t pn) { return static_cast<uint32_t>(pn >> 32); }
[[nodiscard]] constexpr uint64_t pn_join(uint32_t high, uint32_t low) { return (uint64_t{high} << 32) | low; }

}  // namespace linkcrypt::mka
