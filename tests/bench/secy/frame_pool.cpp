// Builds the benchmark's frame pool: sizes, deterministic contents, restore between passes.
#include "frame_pool.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace linkcrypt::bench {

SizeMix make_size_mix(const std::string& name) {
  SizeMix mix;
  mix.name = name;
  if (name == "imix") {
    // 7:4:1 interleaved: 64 570 64 64 570 64 1518 64 570 64 64 570
    static constexpr uint32_t kPattern[12] = {64, 570, 64, 64, 570, 64, 1518, 64, 570, 64, 64, 570};
    for (uint32_t i = 0; i < kPoolFrames; ++i) mix.lens.push_back(kPattern[i % 12]);
  } else {
    char* end = nullptr;
    const unsigned long len = std::strtoul(name.c_str(), &end, 10);
    if (name.empty() || *end != '\0' || len < 14 || len + kHeadroom + kTailroom > kSlotLen) {
      throw std::invalid_argument("unknown frame size '" + name + "' (14..1568 or imix)");
    }
    mix.lens.assign(kPoolFrames, static_cast<uint32_t>(len));
  }
  double sum = 0;
  for (auto l : mix.lens) sum += l;
  mix.mean_len = sum / mix.lens.size();
  return mix;
}

void FramePool::AlignedFree::operator()(uint8_t* p) const { std::free(p); }

FramePool::Buf FramePool::alloc() {
  void* p = std::aligned_alloc(64, size_t{kPoolFrames} * kSlotLen);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, size_t{kPoolFrames} * kSlotLen);
  return Buf(static_cast<uint8_t*>(p));
}

FramePool::FramePool(const SizeMix& mix)
    : lens_(mix.lens), plain_(alloc()), work_(alloc()), snapshot_(alloc()) {
  for (uint32_t i = 0; i < kPoolFrames; ++i) {
    uint8_t* f = plain_.get() + size_t{i} * kSlotLen + kHeadroom;
    // DA 02:00:00:00:00:02, SA 02:00:00:00:00:01, EtherType IPv4, then a counting payload.
    static constexpr uint8_t kHeader[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    std::memcpy(f, kHeader, sizeof kHeader);
    for (uint32_t j = sizeof kHeader; j < lens_[i]; ++j) f[j] = static_cast<uint8_t>(i + j);
    total_octets_ += lens_[i];
  }
  restore_plain();
}

void FramePool::restore_plain() {
  std::memcpy(work_.get(), plain_.get(), size_t{kPoolFrames} * kSlotLen);
}
void FramePool::snapshot_work() {
  std::memcpy(snapshot_.get(), work_.get(), size_t{kPoolFrames} * kSlotLen);
}
void FramePool::restore_snapshot() {
  std::memcpy(work_.get(), snapshot_.get(), size_t{kPoolFrames} * kSlotLen);
}

}  // namespace linkcrypt::bench
