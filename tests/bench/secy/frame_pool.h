// The benchmark's frame buffers: a fixed pool of slots (64/512/1518 octets or IMIX) in bursts of 32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace linkcrypt::bench {

inline constexpr uint32_t kBurst = 32;
// Room in front of the plain frame for the SecTAG with SCI, and behind it for the ICV.
inline constexpr uint32_t kHeadroom = 16;
inline constexpr uint32_t kTailroom = 16;
inline constexpr uint32_t kSlotLen = 1600;  // >= 16 + 1518 + 16, a multiple of 64
// 384 frames = 12 bursts = 32 IMIX patterns; 384 x 1600 = 600 KiB stays in L2 on the test Xeons.
inline constexpr uint32_t kPoolFrames = 384;

// A "size" row of the table: one fixed length or the IMIX mix.
struct SizeMix {
  std::string name;             // "64", "512", "1518", "imix"
  std::vector<uint32_t> lens;   // per frame, kPoolFrames entries (plain frame octets, no FCS)
  double mean_len = 0;
};

// 64, 512, 1518, or "imix": the classic simple IMIX 7:4:1 of 64/570/1518 octets (mean 353.8),
// interleaved so every burst mixes sizes the way real traffic does.
[[nodiscard]] SizeMix make_size_mix(const std::string& name);  // throws on an unknown name

// kPoolFrames slots of kSlotLen octets, 64-byte aligned. `plain` holds each plain frame at
// slot + kHeadroom (DA|SA|EtherType|payload, deterministic bytes); `work` is what the timed loops
// modify; restore() copies plain over work (outside the timed region).
class FramePool {
 public:
  explicit FramePool(const SizeMix& mix);
  [[nodiscard]] uint8_t* work_slot(uint32_t i) { return work_.get() + size_t{i} * kSlotLen; }
  [[nodiscard]] const uint8_t* plain_slot(uint32_t i) const { return plain_.get() + size_t{i} * kSlotLen; }
  [[nodiscard]] uint32_t len(uint32_t i) const { return lens_[i]; }
  [[nodiscard]] uint64_t total_octets() const { return total_octets_; }
  void restore_plain();
  // Saves work as the pristine protected copy / restores it (for the raw decrypt loop).
  void snapshot_work();
  void restore_snapshot();

 private:
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };
  using Buf = std::unique_ptr<uint8_t[], AlignedFree>;
  static Buf alloc();

  std::vector<uint32_t> lens_;
  uint64_t total_octets_ = 0;
  Buf plain_;
  Buf work_;
  Buf snapshot_;
};

}  // namespace linkcrypt::bench
