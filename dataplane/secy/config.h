// SecyConfig: the per-SecY management controls of 10.7 that protect and validate read.
#pragma once

#include <cstdint>

namespace linkcrypt::secy {

// 10.7.8 validateFrames.
enum class ValidateFrames : uint8_t { Disabled, Check, Strict };

// The largest plain frame we carry (jumbo, without FCS) and the matching protected frame.
inline constexpr uint32_t kMaxPlainFrameLen = 9216;
inline constexpr uint32_t kMinPlainFrameLen = 14;  // DA ‖ SA ‖ EtherType

struct SecyConfig {
  ValidateFrames validate_frames = ValidateFrames::Strict;
  bool replay_protect = true;        // 10.7.8 replayProtect
  uint32_t replay_window = 0;        // 10.7.8 replayWindow (0: strictly increasing PNs)
  // Ours (--replay-check strict): with replay protection and a window, also drop a verified
  // frame whose PN was already delivered inside the window (InPktsDuplicate; ReplayBitmap).
  bool replay_strict = false;
  bool confidentiality = true;       // 10.7.17 protectFrames with confidentiality: E=C=1
  bool include_sci = true;           // 10.7.17 alwaysIncludeSCI; false: ES=1, SCI implied
  // OutPktsTooLong (10.7.18): a protected frame longer than this is dropped. Default: the
  // largest plain frame plus SecTAG-with-SCI and ICV (32 octets).
  uint32_t max_protected_len = kMaxPlainFrameLen + 32;
  // Carrier framing (docs/framing.md). Both must be the same at the two ends: neither is carried
  // in the SecTAG. clear_tags: how many 802.1Q/802.1ad tags (0, 1 or 2) stay in the clear between
  // SA and SecTAG and are authenticated as part of the header (vendors' "VLAN tags in the clear").
  // confidentiality_offset (10.7.25 confidentialityOffset: 0, 30 or 50): how many octets of the
  // user data (from its EtherType on) are sent in the clear but authenticated before encryption
  // starts. check_framing() says whether a config is one we carry.
  uint8_t clear_tags = 0;
  uint8_t confidentiality_offset = 0;
};

inline constexpr uint8_t kMaxClearTags = 2;
inline constexpr uint32_t kVlanTagLen = 4;  // TPID 0x8100 / 0x88A8 + TCI

// Whether a frame's framing is the default one (no clear tags, offset 0): then protect and
// validate take their original loops.
[[nodiscard]] constexpr bool default_framing(const SecyConfig& c) {
  return c.clear_tags == 0 && c.confidentiality_offset == 0;
}

// nullptr when cfg's framing is allowed, else why not (for the daemon's config error):
// clear_tags above 2; an offset other than 0, 30, 50 (10.7.25); an offset without
// confidentiality (integrity only has nothing to offset).
[[nodiscard]] constexpr const char* check_framing(const SecyConfig& c) {
  if (c.clear_tags > kMaxClearTags) return "clear-tags must be 0, 1 or 2";
  if (c.confidentiality_offset != 0 && c.confidentiality_offset != 30 &&
      c.confidentiality_offset != 50) {
    return "confidentiality-offset must be 0, 30 or 50 (IEEE 802.1AE 10.7.25)";
  }
  if (c.confidentiality_offset != 0 && !c.confidentiality) {
    return "confidentiality-offset needs confidentiality (an integrity-only SecY encrypts nothing)";
  }
  return nullptr;
}

}  // namespace linkcrypt::secy
