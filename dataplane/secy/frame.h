// FrameRef: a frame buffer handed to protect/validate, which work on it in place.
#pragma once

#include <cstdint>

namespace linkcrypt::secy {

// The burst size the fast path is tuned for (design.md §6). The burst functions accept any n
// and work through it kBurst frames at a time.
inline constexpr uint32_t kBurst = 32;

struct FrameRef {
  uint8_t* data;
  uint32_t len;
};

}  // namespace linkcrypt::secy
