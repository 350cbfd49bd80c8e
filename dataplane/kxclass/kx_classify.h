// Sorts punted key-exchange frames in the worker: the established IKE SA, new sessions, junk.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace linkcrypt::kxclass {

// One IKE SA the control plane keys with, by its SPIs (RFC 7296 3.1). spi_r == 0: our own
// IKE_SA_INIT is outstanding, so a *response* carrying our spi_i belongs to it.
struct IkeSaSpis {
  uint64_t spi_i = 0;
  uint64_t spi_r = 0;
  friend bool operator==(const IkeSaSpis&, const IkeSaSpis&) = default;
};

// The IKE SAs whose frames take the priority ring: published by the control plane (RCU pointer
// swap, dataplane/dpdk/rcu.h), read by every worker per burst. A handful: the current IKE SA and
// the ones it replaced a moment ago (an IKE rekey, RFC 7296 2.18, still ends on the old SA).
struct KnownIkeSas {
  static constexpr size_t kMax = 4;
  std::array<IkeSaSpis, kMax> sas{};
  uint8_t count = 0;
  friend bool operator==(const KnownIkeSas&, const KnownIkeSas&) = default;
};

enum class KxClass : uint8_t {
  KnownSa,    // a message of an IKE SA in KnownIkeSas: priority ring
  NewInit,    // an IKE_SA_INIT request that would start a new IKE SA: rate-limited, low ring
  UnknownSa,  // a well-formed IKE header of no IKE SA we know (a half-open one's IKE_AUTH): as NewInit
  Junk,       // not an IKEv2 header we could ever act on: dropped in the worker
};

inline constexpr size_t kKxEthernetHeaderLen = 14;
inline constexpr size_t kKxIkeHeaderLen = 28;  // RFC 7296 3.1

// `frame` is a whole Ethernet frame whose EtherType the worker already matched. Reads only the
// Ethernet and IKE headers (42 octets) with the bounds-checked cursor; no allocation.
// Junk: shorter than both headers, major version not 2, an exchange type outside
// IKE_SA_INIT..INFORMATIONAL (34..37, the only ones linkcryptd speaks), or a Length field below
// the header or beyond the frame (the control plane's parse_kx_frame would refuse it too).
[[nodiscard]] KxClass classify_kx_frame(std::span<const uint8_t> frame, const KnownIkeSas& known);

}  // namespace linkcrypt::kxclass
