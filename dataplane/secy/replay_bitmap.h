// ReplayBitmap: the optional anti-replay bitmap inside the replay window (--replay-check strict).
//
// 802.1AE's replay check (10.6.2) only compares a PN with lowestPN = nextPN - replayWindow, so a
// frame repeated inside the window verifies again and is delivered. This bitmap remembers which
// PNs inside the window were already delivered, RFC 6479 style: a ring of words, each covering
// a block of 32 consecutive PNs, cleared a whole word at a time when the highest PN moves into a
// new block (no per-PN shifting).
//
// Several lcores may validate frames of the same receive SA (RSS), so every word is one 64-bit
// atomic: the block's 32 PN bits in the low half, and in the high half a tag naming WHICH block
// the bits belong to (the high PN bits). A word is only updated with a compare-exchange that
// keeps the tag, so a lcore can never mark a PN in a word another lcore is reusing for a newer
// block. The only effect of a race is a missed duplicate (a word re-initialised between a
// lcore's test and its set), never a frame dropped as a duplicate that was not one.
//
// Only frames whose ICV verified are recorded (a forged frame cannot fill the bitmap). No
// allocation: the ring lives in the RxSa. Fast path cost: one compare-exchange per block of 32
// PNs touched by a burst (commit_fast groups the frames), not one per frame.
#pragma once

#include <atomic>
#include <cstdint>

namespace linkcrypt::secy {

class ReplayBitmap {
 public:
  static constexpr uint32_t kBlockBits = 32;    // PNs per word
  static constexpr uint32_t kBlockShift = 5;
  static constexpr uint32_t kWords = 256;       // ring size: a power of two
  static constexpr uint32_t kWordShift = 8;
  // The largest replayWindow --replay-check strict accepts: every PN inside the window must map
  // to a word of the ring that holds its block, with one block of slack on each side.
  static constexpr uint32_t kMaxWindow = (kWords - 2) * kBlockBits;

  // `next_pn`: the SA's initial nextPN (10.7.22 lowestPN); PNs below it are Late anyway.
  explicit ReplayBitmap(uint64_t next_pn) {
    const uint64_t top = block_of(next_pn == 0 ? 0 : next_pn - 1);
    top_.store(top, std::memory_order_relaxed);
    for (uint32_t i = 0; i < kWords; ++i) {
      const uint64_t b = top - i;  // may wrap below 0: such words are never asked for
      words_[b & (kWords - 1)].store(empty_word(b), std::memory_order_relaxed);
    }
  }
  ReplayBitmap(const ReplayBitmap&) = delete;
  ReplayBitmap& operator=(const ReplayBitmap&) = delete;

  [[nodiscard]] static constexpr uint64_t block_of(uint64_t pn) { return pn >> kBlockShift; }
  [[nodiscard]] static constexpr uint32_t bit_of(uint64_t pn) {
    return 1u << (pn & (kBlockBits - 1));
  }

  // Makes `block` the newest block if it is above the newest so far: the words of every block
  // that enters the ring are re-initialised, empty, before any PN of them is marked. Call
  // before test_and_set on that block.
  void advance_to(uint64_t block) {
    uint64_t top = top_.load(std::memory_order_relaxed);
    while (block > top) {
      if (top_.compare_exchange_weak(top, block, std::memory_order_acq_rel,
                                     std::memory_order_relaxed)) {
        // Only the lcore that moved the top clears: the blocks (top, block], at most a ring.
        const uint64_t from = block - top > kWords ? block - kWords + 1 : top + 1;
        for (uint64_t b = from; b <= block; ++b) {
          words_[b & (kWords - 1)].store(empty_word(b), std::memory_order_release);
        }
        return;
      }
    }
  }

  // Marks the PNs of `block` given by `bits` (bit i: PN block*32 + i) as seen. Returns those of
  // them that were already seen: the duplicates. A word that holds another block (a race with a
  // lcore re-initialising it) records nothing and reports no duplicate.
  [[nodiscard]] uint32_t test_and_set(uint64_t block, uint32_t bits) {
    std::atomic<uint64_t>& w = words_[block & (kWords - 1)];
    const uint64_t tag = tag_of(block);
    uint64_t cur = w.load(std::memory_order_acquire);
    for (;;) {
      if ((cur >> 32) != tag) return 0;
      const uint64_t want = cur | bits;
      if (want == cur) return bits;
      if (w.compare_exchange_weak(cur, want, std::memory_order_acq_rel,
                                  std::memory_order_acquire)) {
        return static_cast<uint32_t>(cur) & bits;
      }
    }
  }

  // One PN: advance, then test and set. True when the PN was already seen (a duplicate).
  [[nodiscard]] bool seen_before(uint64_t pn) {
    const uint64_t b = block_of(pn);
    advance_to(b);
    return test_and_set(b, bit_of(pn)) != 0;
  }

 private:
  // The tag: the block's bits above the ring index (32 of them: with the index, 2^45 PNs
  // apart; a word is re-initialised whenever its block enters the ring, so tags never alias).
  [[nodiscard]] static constexpr uint64_t tag_of(uint64_t block) {
    return (block >> kWordShift) & 0xFFFFFFFFull;
  }
  [[nodiscard]] static constexpr uint64_t empty_word(uint64_t block) { return tag_of(block) << 32; }

  alignas(64) std::atomic<uint64_t> top_{0};  // the newest block marked (or initial)
  std::atomic<uint64_t> words_[kWords];
};

}  // namespace linkcrypt::secy
