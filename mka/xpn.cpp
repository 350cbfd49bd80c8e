// XPN salt and SSCI assignment (see xpn.h for the clauses and where wpa_supplicant settled the unclear parts).
#include "xpn.h"

#include <algorithm>

namespace linkcrypt::mka {

Salt xpn_salt(std::span<const uint8_t, kMiLen> key_server_mi, uint32_t key_number) {
  Salt s{};
  std::copy(key_server_mi.begin(), key_server_mi.end(), s.begin());
  s[0] ^= static_cast<uint8_t>(key_number >> 8);
  s[1] ^= static_cast<uint8_t>(key_number);
  s[2] ^= static_cast<uint8_t>(key_number >> 24);
  s[3] ^= static_cast<uint8_t>(key_number >> 16);
  return s;
}

std::vector<SsciOf> assign_sscis(const Sci& own, std::span<const Sci> peers) {
  std::vector<Sci> all(peers.begin(), peers.end());
  all.push_back(own);
  // Array comparison is lexicographic over the octets, i.e. the big-endian numeric order.
  std::sort(all.begin(), all.end(), [](const Sci& x, const Sci& y) { return y < x; });
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<SsciOf> out;
  out.reserve(all.size());
  for (size_t i = 0; i < all.size(); ++i) out.push_back({all[i], static_cast<uint32_t>(i + 1)});
  return out;
}

uint32_t ssci_of(std::span<const SsciOf> assignment, const Sci& sci) {
  for (const auto& a : assignment)
    if (a.sci == sci) return a.ssci;
  return 0;
}

}  // namespace linkcrypt::mka
