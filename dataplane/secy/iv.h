// GCM IV construction: 14.5 (SCI ‖ PN32) and 14.7 XPN ((SSCI ‖ PN64) ⊕ salt). Internal header.
#pragma once

#include <cstdint>
#include <cstring>

#include "cipher_suite.h"
#include "sa.h"

namespace linkcrypt::secy::detail {

// One byte-swapped store each (our own bytes, not parsing): these run per frame.
inline void store_be32(uint8_t* p, uint32_t v) {
  const uint32_t be = __builtin_bswap32(v);
  std::memcpy(p, &be, sizeof(be));
}
inline void store_be64(uint8_t* p, uint64_t v) {
  const uint64_t be = __builtin_bswap64(v);
  std::memcpy(p, &be, sizeof(be));
}
inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// What the per-frame IV step needs, computed once per burst from the SA.
struct IvBase {
  uint8_t head[8];   // 14.5: the SCI; 14.7: SSCI ⊕ salt[0..4) in the first 4 octets
  uint64_t salt_low; // 14.7 only: salt[4..12) as a big-endian number
};

inline IvBase make_iv_base(bool xpn, Sci sci, const XpnParams& x) {
  IvBase b{};
  if (xpn) {
    store_be32(b.head, x.ssci);
    for (int i = 0; i < 4; ++i) b.head[i] ^= x.salt[i];
    b.salt_low = load_be64(x.salt.data() + 4);
  } else {
    store_be64(b.head, sci);
  }
  return b;
}

// Two stores per IV: these run per frame.
template <bool Xpn>
inline void build_iv(uint8_t* iv, const IvBase& b, uint64_t pn) {
  if constexpr (Xpn) {
    std::memcpy(iv, b.head, 4);
    store_be64(iv + 4, pn ^ b.salt_low);
  } else {
    std::memcpy(iv, b.head, 8);
    store_be32(iv + 8, static_cast<uint32_t>(pn));
  }
}

}  // namespace linkcrypt::secy::detail
