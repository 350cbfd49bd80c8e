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
};

}  // namespace linkcrypt::secy
