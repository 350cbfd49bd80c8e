// SecTAG parsing and validity rules (802.1AE-2018 9.x), inline for the per-frame receive loop.
// Internal header: callers outside the SecY use parse_sectag() from sectag.h.
#pragma once

#include "byte_reader.h"
#include "sectag.h"

namespace linkcrypt::secy::detail {

// `r` has consumed DA ‖ SA ‖ EtherType of a frame of frame_len octets.
inline bool parse_sectag_after_ethertype(ByteReader& r, size_t frame_len, bool xpn, SecTag& out,
                                         BadTagReason& why) {
  uint8_t tci_an = 0;
  uint8_t sl_octet = 0;
  uint32_t pn32 = 0;
  if (!r.read_u8(tci_an) || !r.read_u8(sl_octet) || !r.read_u32(pn32)) {
    why = BadTagReason::TooShort;
    return false;
  }
  const uint8_t tci = tci_an & static_cast<uint8_t>(~kAnMask);
  // 9.4.1: only version 0 exists.
  if (tci & kTciV) {
    why = BadTagReason::Version;
    return false;
  }
  // 9.4.2 / 9.4.4: an explicit SCI excludes ES and SCB.
  if ((tci & kTciSc) && (tci & kTciEs)) {
    why = BadTagReason::EsAndSc;
    return false;
  }
  if ((tci & kTciSc) && (tci & kTciScb)) {
    why = BadTagReason::ScbAndSc;
    return false;
  }
  // 9.4.5/9.4.6: encryption always changes the text, so E=1 with C=0 cannot be produced.
  if ((tci & kTciE) && !(tci & kTciC)) {
    why = BadTagReason::EncryptNoChange;
    return false;
  }
  // 9.7: the two most significant bits of the SL octet are reserved, transmitted as zero.
  if (sl_octet & 0xC0) {
    why = BadTagReason::SlReserved;
    return false;
  }
  Sci sci = 0;
  const bool has_sci = (tci & kTciSc) != 0;
  if (has_sci && !r.read_u64(sci)) {
    why = BadTagReason::TooShort;
    return false;
  }
  // What remains is secure data ‖ ICV.
  if (r.remaining() < kIcvLen) {
    why = BadTagReason::TooShort;
    return false;
  }
  size_t secure_len = r.remaining() - kIcvLen;
  // 9.7: SL is the secure data length when that is below 48, else zero. Only a frame padded to
  // the Ethernet minimum may carry octets after the ICV.
  if (sl_octet != 0) {
    if (sl_octet >= kShortLenLimit ||
        (secure_len != sl_octet &&
         !(frame_len == kMinFrameLen && secure_len > sl_octet))) {
      why = BadTagReason::SlMismatch;
      return false;
    }
    secure_len = sl_octet;
  } else if (secure_len < kShortLenLimit) {
    why = BadTagReason::ShortNoSl;
    return false;
  }
  // 9.8: PN zero is never transmitted with a 32-bit PN; with XPN only the low half is here.
  if (pn32 == 0 && !xpn) {
    why = BadTagReason::PnZero;
    return false;
  }
  out.tci = tci;
  out.tag_len = static_cast<uint8_t>(sectag_len(has_sci));
  out.an = tci_an & kAnMask;
  out.sl = sl_octet;
  out.pn32 = pn32;
  out.has_sci = has_sci;
  out.sci = sci;
  out.secure_data_len = static_cast<uint32_t>(secure_len);
  return true;
}

inline bool parse_sectag_inline(std::span<const uint8_t> frame, bool xpn, SecTag& out,
                                BadTagReason& why) {
  ByteReader r(frame);
  uint16_t ethertype = 0;
  if (!r.skip(kAddrLen) || !r.read_u16(ethertype)) {
    why = BadTagReason::TooShort;
    return false;
  }
  return parse_sectag_after_ethertype(r, frame.size(), xpn, out, why);
}

}  // namespace linkcrypt::secy::detail
