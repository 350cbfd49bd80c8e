// --replay-check strict in validate_burst's commit passes: the ReplayBitmap calls for a burst.
// Internal header.
#pragma once

#include <cstdint>

#include "replay_bitmap.h"
#include "validate.h"
#include "validate_queue.h"

namespace linkcrypt::secy::detail {

static_assert(kBurst <= 32, "mark_rising_run returns one bit per queued frame");

// A verified frame whose PN was already delivered: discarded, nothing of it delivered.
inline void drop_duplicate(ValidateResult& res) {
  res.verdict = RxVerdict::Duplicate;
  res.plain_offset = res.plain_len = 0;
}

// Which of q.pend[from..to) (all of one block) have their PN bit in `seen`. Rare: only when a
// duplicate was found.
[[gnu::cold]] inline uint32_t owners(const BurstQueue& q, const ValidateResult* out, uint32_t from,
                                     uint32_t to, uint32_t seen) {
  uint32_t m = 0;
  for (uint32_t j = from; j < to; ++j) {
    if (seen & ReplayBitmap::bit_of(out[q.pend[j].frame].pn)) m |= 1u << j;
  }
  return m;
}

// commit_fast's burst: q.pend[0..k) of one SA with rising PNs, every ICV good. Marks all their
// PNs in the bitmap with one compare-exchange per block of 32 PNs (a burst of rising PNs
// touches one or two) and returns which of them had been seen: bit j for q.pend[j].
inline uint32_t mark_rising_run(ReplayBitmap& bm, const BurstQueue& q, const ValidateResult* out) {
  const uint32_t k = q.k;
  bm.advance_to(ReplayBitmap::block_of(q.last_pn));
  uint32_t dups = 0;
  uint32_t j0 = 0;  // first frame of the current block
  uint64_t block = ReplayBitmap::block_of(out[q.pend[0].frame].pn);
  uint32_t bits = 0;
  for (uint32_t j = 0; j < k; ++j) {
    const uint64_t pn = out[q.pend[j].frame].pn;
    const uint64_t b = ReplayBitmap::block_of(pn);
    if (b != block) {
      if (const uint32_t seen = bm.test_and_set(block, bits)) dups |= owners(q, out, j0, j, seen);
      block = b;
      bits = 0;
      j0 = j;
    }
    bits |= ReplayBitmap::bit_of(pn);
  }
  if (const uint32_t seen = bm.test_and_set(block, bits)) dups |= owners(q, out, j0, k, seen);
  return dups;
}

}  // namespace linkcrypt::secy::detail
