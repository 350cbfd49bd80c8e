// SecTAG parsing (802.1AE-2018 clause 9) for callers outside the receive loop, and reason names.
#include "sectag.h"

#include "sectag_parse.h"

namespace linkcrypt::secy {

const char* bad_tag_reason_name(BadTagReason r) {
  switch (r) {
    case BadTagReason::TooShort: return "TooShort";
    case BadTagReason::Version: return "Version";
    case BadTagReason::EsAndSc: return "EsAndSc";
    case BadTagReason::ScbAndSc: return "ScbAndSc";
    case BadTagReason::EncryptNoChange: return "EncryptNoChange";
    case BadTagReason::SlReserved: return "SlReserved";
    case BadTagReason::SlMismatch: return "SlMismatch";
    case BadTagReason::ShortNoSl: return "ShortNoSl";
    case BadTagReason::PnZero: return "PnZero";
    case BadTagReason::ClearTagMismatch: return "ClearTagMismatch";
    case BadTagReason::kCount: break;
  }
  return "Unknown";
}

bool parse_sectag(std::span<const uint8_t> frame, bool xpn, SecTag& out, BadTagReason& why) {
  return detail::parse_sectag_inline(frame, xpn, out, why);
}

}  // namespace linkcrypt::secy
