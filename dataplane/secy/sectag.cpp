// SecTAG parsing (802.1AE-2018 clause 9) for callers outside the receive loop.
#include "sectag.h"

#include "sectag_parse.h"

namespace linkcrypt::secy {

bool parse_sectag(std::span<const uint8_t> frame, bool xpn, SecTag& out, BadTagReason& why) {
  return detail::parse_sectag_inline(frame, xpn, out, why);
}

}  // namespace linkcrypt::secy
