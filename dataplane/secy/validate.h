// Receive: validate a burst of frames in place against an RxTable (802.1AE 10.6).
#pragma once

#include <cstdint>

#include "config.h"
#include "counters.h"
#include "engine.h"
#include "frame.h"
#include "sa.h"
#include "sectag.h"

namespace linkcrypt::secy {

// The outcome of 10.6 for one frame, each with the counter it increments. The first group is
// delivered to the controlled port, the second is discarded.
enum class RxVerdict : uint8_t {
  // delivered
  Ok,          // InPktsOK: ICV verified, PN acceptable
  Delayed,     // InPktsDelayed: verified, PN < lowest acceptable, replay protection off
  Unchecked,   // InPktsUnchecked: validateFrames Disabled (C=0), delivered unverified
  Invalid,     // InPktsInvalid: ICV failed, validateFrames Check and C=0, delivered
  UnknownSci,  // InPktsUnknownSCI: no RxSC, not Strict and C=0, delivered unverified
  UnusedSa,    // InPktsUnusedSA: no RxSA for the AN, not Strict and C=0, delivered unverified
  Untagged,    // InPktsUntagged: not a MACsec frame, not Strict, delivered unchanged
  // discarded
  NoTag,       // InPktsNoTag: not a MACsec frame under Strict
  BadTag,      // InPktsBadTag: malformed SecTAG (see ValidateResult::bad_tag)
  NoSci,       // InPktsNoSCI: no RxSC for the SCI
  NotUsingSa,  // InPktsNotUsingSA: no RxSA for the AN
  Late,        // InPktsLate: PN below the lowest acceptable PN with replay protection
  NotValid,    // InPktsNotValid: ICV failed
  Duplicate,   // InPktsDuplicate (ours): verified, PN already delivered inside the window (--replay-check strict)
};
[[nodiscard]] const char* rx_verdict_name(RxVerdict v);
[[nodiscard]] constexpr bool rx_delivers(RxVerdict v) { return v <= RxVerdict::Untagged; }

struct ValidateResult {
  RxVerdict verdict;
  BadTagReason bad_tag;    // meaningful only for BadTag
  uint32_t plain_offset;   // delivered frames: the plain frame starts at data + plain_offset
  uint32_t plain_len;      // ... and is this long (len - sectag_len - kIcvLen for tagged frames)
  uint64_t pn;             // the (recovered, 10.6.2) PN when the SecTAG parsed, else 0
  Sci sci;                 // the SCI used for lookup when the SecTAG parsed
  uint8_t an;
};

// IN-PLACE CONTRACT. frames[i] is a whole received frame DA‖SA‖SecTAG‖secure data‖ICV (no
// FCS). The SecTAG is parsed with ByteReader, the SC/SA looked up, the replay check made BEFORE
// decryption, the secure data decrypted in place and the replay state updated only after the
// ICV verifies. For delivered tagged frames the SecY moves DA‖SA forward over the SecTAG, so the
// plain frame is data + plain_offset (= sectag length) for plain_len octets; untagged frames are
// left as they are (plain_offset 0). `counters` is the calling lcore's SecY block; SC/SA counters
// are kept in the SC/SA objects under engine.lcore_slot(). Returns the number delivered.
uint32_t validate_burst(CipherEngine& engine, const RxTable& table, const SecyConfig& cfg,
                        FrameRef* frames, uint32_t n, ValidateResult* results,
                        SecyCounters& counters);

}  // namespace linkcrypt::secy
