// validate_burst's queue (pass 1: the engine operations and what the commit passes need) and its fast
// path for frames that repeat the header of the frame just queued. Internal header.
#pragma once

#include <cstdint>
#include <cstring>

#include "engine.h"
#include "frame.h"
#include "iv.h"
#include "sa.h"
#include "sectag.h"
#include "validate.h"

namespace linkcrypt::secy::detail {

// A frame that passed SecTAG, SC/SA and replay checks and waits for a commit pass. Its PN, SecTAG
// length (plain_offset) and secure data length (plain_len - 12) are in its ValidateResult,
// written as if it will be delivered. Frames that are not verified (validateFrames Disabled,
// C=0) wait too: their replay check must see the frames before them in the burst, verified or
// not, as when one at a time.
struct Pending {
  RxSa* sa;
  uint32_t frame;  // index within the burst
  uint32_t flags;  // kPending*
};
inline constexpr uint32_t kPendingC = 1;          // TCI C bit
inline constexpr uint32_t kPendingE = 2;          // TCI E bit
inline constexpr uint32_t kPendingUnchecked = 4;  // no engine operation (10.6.3)

constexpr uint32_t pending_flags(bool c_bit, bool e_bit) {
  return (c_bit ? kPendingC : 0) | (e_bit ? kPendingE : 0);
}

struct BurstQueue {
  Pending pend[kBurst];
  GcmOp ops[kBurst];
  uint32_t k = 0;     // pending frames
  uint32_t nops = 0;  // of which engine operations
  // True while every pending frame has an engine operation, one SA and a PN above the one
  // before it: then, if all verify, commit_fast needs only one replay check.
  bool one_sa_rising = true;
  uint64_t last_pn = 0;

  void note(RxSa* sa, uint64_t pn) {
    if (k != 0 && (sa != pend[0].sa || pn <= last_pn)) one_sa_rising = false;
    last_pn = pn;
  }
};

// The receive loop's carrier framing as compile-time constants (docs/framing.md), so the
// default instantiation (no clear tags, no offset) is the loop it was. kPrefix: the octets in
// front of the SecTAG (DA‖SA and the clear tags); kOffset: whether a confidentiality offset
// (its value in RxPolicy) applies.
template <uint32_t Tags, bool Offset>
struct Framing {
  static constexpr uint32_t kTags = Tags;
  static constexpr uint32_t kPrefix = static_cast<uint32_t>(kAddrLen) + kVlanTagLen * Tags;
  static constexpr bool kOffset = Offset;
};
using DefaultFraming = Framing<0, false>;

inline bool is_vlan_tpid(uint16_t v) { return v == kTpidCtag || v == kTpidStag; }

// The engine operation for a frame: 14.5 (E=1: DA‖SA‖[clear tags‖]SecTAG‖[the first `offset`
// octets of the secure data, 10.7.25] authenticated, the rest decrypted) or integrity only
// (everything up to the ICV authenticated).
template <bool Xpn, class F = DefaultFraming>
inline void fill_op(GcmOp& op, const SaKey& key, const IvBase& iv_base, uint64_t pn,
                    uint8_t* data, uint32_t tag_len, uint32_t secure_len, bool e_bit,
                    uint32_t offset = 0) {
  op.key = &key;
  build_iv<Xpn>(op.iv, iv_base, pn);
  uint8_t* secure = data + F::kPrefix + tag_len;
  op.aad = data;
  op.text = secure;
  op.icv = secure + secure_len;
  if (e_bit) {
    if constexpr (F::kOffset) {
      const uint32_t clear = secure_len < offset ? secure_len : offset;
      op.aad_len = F::kPrefix + tag_len + clear;
      op.text = secure + clear;
      op.text_len = secure_len - clear;
    } else {
      op.aad_len = F::kPrefix + tag_len;
      op.text_len = secure_len;
    }
  } else {
    op.aad_len = F::kPrefix + tag_len + secure_len;
    op.text_len = 0;
  }
}

// Whether a received frame's clear tags (octets 12.. of F::kTags tags) are VLAN tags; the
// caller has checked the frame is long enough.
template <class F>
inline bool clear_tags_present(const uint8_t* d) {
  for (uint32_t t = 0; t < F::kTags; ++t) {
    const uint8_t* tpid = d + kAddrLen + kVlanTagLen * t;
    if (!is_vlan_tpid(static_cast<uint16_t>((tpid[0] << 8) | tpid[1]))) return false;
  }
  return true;
}

// The SecTAG of a frame just queued, with its SA. A following frame whose octets 12..15
// (EtherType, TCI‖AN, SL) and SCI field are the same passed every TCI rule, names the same SC
// and SA and takes the same 10.6 branches: only its length, SL rule, PN and replay check remain.
struct HeaderTemplate {
  uint32_t word;       // octets 12..15 as stored in the frame
  uint64_t sci_raw;    // octets 20..27 as stored, when has_sci
  bool has_sci;
  uint8_t tag_len;
  uint8_t sl;
  uint8_t an;
  uint32_t flags;      // pending_flags of its C and E bits
  uint32_t min_len;    // SL == 0: shortest frame with >= 48 octets of secure data
  uint32_t exact_len;  // SL != 0: the only length taken here (padded minimum frames are not)
  Sci sci;
  RxSa* sa;
  uint64_t lowest;     // the SA's lowest acceptable PN at the start of the burst
  bool replay_protect;
  IvBase iv_base;
};

inline uint32_t load_raw32(const uint8_t* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t load_raw64(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// 10.6.2: a 32-bit PN is the PN; an XPN frame carries the low 32 bits, and the high bits are
// those of the lowest acceptable PN, plus one if the low bits are below its low bits. Returns
// false when that would pass 2^64 (no such PN exists, the frame cannot be valid).
inline bool recover_pn(bool xpn, uint32_t pn32, uint64_t lowest, uint64_t& pn) {
  if (!xpn) {
    pn = pn32;
    return true;
  }
  uint64_t hi = lowest >> 32;
  if (pn32 < static_cast<uint32_t>(lowest)) {
    if (hi == 0xFFFFFFFFull) return false;
    ++hi;
  }
  pn = (hi << 32) | pn32;
  return true;
}

// Queues frames burst[from..) while they repeat `t` and pass their own checks; returns the
// index of the first frame it did not queue (the full checks decide and count that one).
// Out of line on purpose: its loop keeps the template and queue counters in registers.
template <bool Xpn, class F = DefaultFraming>
[[gnu::noinline]] uint32_t queue_repeats(const HeaderTemplate& tref, const FrameRef* burst,
                                         uint32_t from, uint32_t m, ValidateResult* out,
                                         BurstQueue& q, uint32_t offset = 0) {
  const HeaderTemplate t = tref;
  const bool e_bit = (t.flags & kPendingE) != 0;
  const SaKey& key = t.sa->key();
  uint32_t k = q.k;
  uint32_t nops = q.nops;
  uint64_t last_pn = q.last_pn;
  bool rising = q.one_sa_rising;
  uint32_t i = from;
  for (; i < m; ++i) {
    const FrameRef& f = burst[i];
    // Length first: every octet read below lies inside the frame.
    if (t.sl == 0 ? f.len < t.min_len : f.len != t.exact_len) break;
    if (load_raw32(f.data + F::kPrefix) != t.word) break;
    if (t.has_sci && load_raw64(f.data + F::kPrefix + 8) != t.sci_raw) break;
    if constexpr (F::kTags != 0) {
      if (!clear_tags_present<F>(f.data)) break;
    }
    const uint32_t pn32 = __builtin_bswap32(load_raw32(f.data + F::kPrefix + 4));
    uint64_t pn = 0;
    if (!Xpn && pn32 == 0) break;
    if (!recover_pn(Xpn, pn32, t.lowest, pn)) break;
    if (t.replay_protect && pn < t.lowest) break;
    const uint32_t secure_len =
        t.sl != 0 ? t.sl : f.len - (F::kPrefix + t.tag_len + static_cast<uint32_t>(kIcvLen));
    // The result as it will be if the frame verifies (the commit pass overwrites it otherwise).
    out[i] = ValidateResult{RxVerdict::Ok, BadTagReason::TooShort, t.tag_len,
                            F::kPrefix + secure_len, pn, t.sci, t.an};
    fill_op<Xpn, F>(q.ops[nops++], key, t.iv_base, pn, f.data, t.tag_len, secure_len, e_bit,
                    offset);
    q.pend[k++] = Pending{t.sa, i, t.flags};
    rising = rising && pn > last_pn;
    last_pn = pn;
  }
  q.k = k;
  q.nops = nops;
  q.last_pn = last_pn;
  q.one_sa_rising = rising;
  return i;
}

}  // namespace linkcrypt::secy::detail
