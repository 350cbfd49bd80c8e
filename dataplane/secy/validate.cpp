// validate_burst: 802.1AE-2018 10.6 receive verification, in place, one engine call per burst.
//
// Each burst of up to kBurst frames goes through four named passes over one BurstQueue:
//   1. queue_burst    everything before the cipher (10.6.1, 10.6.2): SecTAG, SC/SA, PN recovery,
//                     replay check, IVs; frames that need no cipher are decided here;
//   2. open_queued    one engine call for every queued frame;
//   3. commit_fast    the common burst (one SA, rising PNs, every ICV good): one replay check;
//   4. commit_per_sa  otherwise, 10.6.4/10.6.5 frame by frame in runs of one SA.
// The passes are separate functions for reading; each is called once, so the compiler puts
// them back together and the generated loop is the one measured in docs/performance-secy.md.
#include "validate.h"

#include <cstring>

#include "byte_reader.h"
#include "iv.h"
#include "replay_burst.h"
#include "sectag_parse.h"
#include "validate_queue.h"

namespace linkcrypt::secy {

const char* rx_verdict_name(RxVerdict v) {
  switch (v) {
    case RxVerdict::Ok: return "OK";
    case RxVerdict::Delayed: return "Delayed";
    case RxVerdict::Unchecked: return "Unchecked";
    case RxVerdict::Invalid: return "Invalid";
    case RxVerdict::UnknownSci: return "UnknownSCI";
    case RxVerdict::UnusedSa: return "UnusedSA";
    case RxVerdict::Untagged: return "Untagged";
    case RxVerdict::NoTag: return "NoTag";
    case RxVerdict::BadTag: return "BadTag";
    case RxVerdict::NoSci: return "NoSCI";
    case RxVerdict::NotUsingSa: return "NotUsingSA";
    case RxVerdict::Late: return "Late";
    case RxVerdict::NotValid: return "NotValid";
    case RxVerdict::Duplicate: return "Duplicate";
  }
  return "?";
}

namespace {

using detail::BurstQueue;
using detail::kPendingC;
using detail::kPendingE;
using detail::kPendingUnchecked;
using detail::pending_flags;
using detail::Pending;

// What the passes read from the SecyConfig, copied into locals once per call: the passes store
// through uint8_t pointers (IVs, frame octets), which may alias anything, so cfg fields read
// per frame would be reloaded from memory each time. Passed by value for the same reason.
struct RxPolicy {
  uint32_t slot;           // the engine's lcore slot: index of the SC/SA counter blocks
  uint32_t replay_window;
  bool strict;
  bool disabled;
  bool replay_protect;
  bool dup_check;          // --replay-check strict with replay protection and a window
  uint32_t offset;         // confidentiality offset (read only by framings that have one)
};

RxPolicy make_policy(const CipherEngine& engine, const SecyConfig& cfg) {
  return RxPolicy{engine.lcore_slot(), cfg.replay_window,
                  cfg.validate_frames == ValidateFrames::Strict,
                  cfg.validate_frames == ValidateFrames::Disabled, cfg.replay_protect,
                  cfg.replay_strict && cfg.replay_protect && cfg.replay_window != 0,
                  cfg.confidentiality_offset};
}

using detail::DefaultFraming;
using detail::Framing;

// Moves DA‖SA (and the clear tags) forward over the SecTAG so the plain frame is contiguous.
template <class F>
inline void move_addresses(uint8_t* data, uint32_t tag_len) {
  // Fixed-size copies through a temporary: inlined, and safe for the overlapping 8-octet tag.
  uint8_t addr[F::kPrefix];
  std::memcpy(addr, data, F::kPrefix);
  std::memcpy(data + tag_len, addr, F::kPrefix);
}

// Delivers a tagged frame: contiguous plain frame, and where it is.
template <class F>
inline void strip_tag(FrameRef& f, uint32_t tag_len, uint32_t secure_len, ValidateResult& res) {
  move_addresses<F>(f.data, tag_len);
  res.plain_offset = tag_len;
  res.plain_len = F::kPrefix + secure_len;
}
template <class F>
inline void strip_tag(FrameRef& f, const SecTag& tag, ValidateResult& res) {
  strip_tag<F>(f, tag.tag_len, tag.secure_data_len, res);
}

inline void bad_tag(ValidateResult& res, BadTagReason why, SecyCounters& c) {
  res.verdict = RxVerdict::BadTag;
  res.bad_tag = why;
  ++c.in_pkts_bad_tag;
  ++c.in_bad_tag_by_reason[static_cast<size_t>(why)];
}

// ---- pass 1: queue -------------------------------------------------------------------------

// The SC/SA of the previous frame of the burst, with what pass 1 reads from that SA.
struct LookupCache {
  bool valid = false;
  Sci sci = 0;
  uint8_t an = 0;
  const RxSc* sc = nullptr;
  RxSa* sa = nullptr;
  bool xpn = false;
  uint64_t lowest = 0;
  detail::IvBase iv_base{};

  // Looks the SC and SA up (and reads the SA's suite, lowest PN and IV base) only when the SCI
  // or AN changes. Pass 1 changes no state, so the cached lowest PN is exact; the commit passes
  // check again against the live value.
  void refresh(const RxTable& table, bool sci_known, Sci new_sci, uint8_t new_an,
               uint32_t replay_window) {
    if (valid && sci_known && new_sci == sci && new_an == an) return;
    valid = sci_known;
    sci = new_sci;
    an = new_an;
    sc = sci_known ? table.find(new_sci) : nullptr;
    sa = sc ? sc->sa(new_an) : nullptr;
    if (sa) {
      xpn = is_xpn(sa->suite());
      lowest = sa->lowest_pn(replay_window);
      iv_base = detail::make_iv_base(xpn, new_sci, sa->xpn());
    }
  }
};

// 9.9: the SCI a SecTAG names. Without an SCI field, ES=1 means MAC SA ‖ 00-01; otherwise the
// one peer SC is implied. Returns false when no SCI can be known.
inline bool resolve_sci(const SecTag& tag, const FrameRef& f, const RxTable& table, Sci& sci) {
  sci = 0;
  if (tag.has_sci) {
    sci = tag.sci;
  } else if (tag.tci & kTciEs) {
    for (size_t b = 6; b < kAddrLen; ++b) sci = (sci << 8) | f.data[b];
    sci = (sci << 16) | 0x0001;
  } else if (const RxSc* only = table.only_sc()) {
    sci = only->sci();
  } else {
    return false;
  }
  return true;
}

// 10.6: a frame without a SecTAG is delivered (InPktsUntagged) unless Strict (InPktsNoTag).
// Returns true when delivered.
inline bool decide_untagged(const FrameRef& f, RxPolicy pol, ValidateResult& res,
                            SecyCounters& counters) {
  if (pol.strict) {
    res.verdict = RxVerdict::NoTag;
    ++counters.in_pkts_no_tag;
    return false;
  }
  res.verdict = RxVerdict::Untagged;
  res.plain_len = f.len;
  ++counters.in_pkts_untagged;
  return true;
}

// 10.6.1: no receive SC for this SCI. Returns true when delivered (unverified).
template <class F>
inline bool decide_no_sc(FrameRef& f, const SecTag& tag, bool c_bit, RxPolicy pol,
                         ValidateResult& res, SecyCounters& counters) {
  if (c_bit || pol.strict) {
    res.verdict = RxVerdict::NoSci;
    ++counters.in_pkts_no_sci;
    return false;
  }
  res.verdict = RxVerdict::UnknownSci;
  ++counters.in_pkts_unknown_sci;
  strip_tag<F>(f, tag, res);
  return true;
}

// 10.6.1: no receive SA in use for this AN. Returns true when delivered (unverified).
template <class F>
inline bool decide_no_sa(FrameRef& f, const SecTag& tag, bool c_bit, const RxSc& sc,
                         RxPolicy pol, ValidateResult& res) {
  if (c_bit || pol.strict) {
    res.verdict = RxVerdict::NotUsingSa;
    ++sc.counters(pol.slot).in_pkts_not_using_sa;
    return false;
  }
  res.verdict = RxVerdict::UnusedSa;
  ++sc.counters(pol.slot).in_pkts_unused_sa;
  strip_tag<F>(f, tag, res);
  return true;
}

// Queues burst[i], which passed every check before the cipher, with its engine operation, then
// the frames after it that repeat its header (they nearly always do) without the checks (they
// would pass them the same way). Returns the index of the first frame not queued.
template <class F>
inline uint32_t queue_verified_run(const SecTag& tag, Sci sci, uint64_t pn, bool c_bit,
                                   bool e_bit, const LookupCache& cache, RxPolicy pol,
                                   FrameRef* burst, uint32_t i, uint32_t m, ValidateResult* out,
                                   BurstQueue& q) {
  FrameRef& f = burst[i];
  RxSa* sa = cache.sa;
  const uint32_t flags = pending_flags(c_bit, e_bit);
  if (cache.xpn) {
    detail::fill_op<true, F>(q.ops[q.nops++], sa->key(), cache.iv_base, pn, f.data, tag.tag_len,
                             tag.secure_data_len, e_bit, pol.offset);
  } else {
    detail::fill_op<false, F>(q.ops[q.nops++], sa->key(), cache.iv_base, pn, f.data,
                              tag.tag_len, tag.secure_data_len, e_bit, pol.offset);
  }
  q.note(sa, pn);
  q.pend[q.k++] = Pending{sa, i, flags};
  const detail::HeaderTemplate t{
      detail::load_raw32(f.data + F::kPrefix),  // parsed by the caller: the frame has these octets
      tag.has_sci ? detail::load_raw64(f.data + F::kPrefix + 8) : 0,
      tag.has_sci,
      tag.tag_len,
      tag.sl,
      tag.an,
      flags,
      F::kPrefix + tag.tag_len + static_cast<uint32_t>(kShortLenLimit + kIcvLen),
      F::kPrefix + tag.tag_len + tag.sl + static_cast<uint32_t>(kIcvLen),
      sci,
      sa,
      cache.lowest,
      pol.replay_protect,
      cache.iv_base};
  // The offset only for framings that have one: the default call is the one it always was.
  if constexpr (F::kOffset) {
    return cache.xpn ? detail::queue_repeats<true, F>(t, burst, i + 1, m, out, q, pol.offset)
                     : detail::queue_repeats<false, F>(t, burst, i + 1, m, out, q, pol.offset);
  } else {
    return cache.xpn ? detail::queue_repeats<true, F>(t, burst, i + 1, m, out, q)
                     : detail::queue_repeats<false, F>(t, burst, i + 1, m, out, q);
  }
}

// Pass 1: everything before the cipher (10.6.1, 10.6.2), and all IVs. Frames discarded or
// delivered without verification get their final result here; the others are queued with
// their result written as if they will be delivered (the commit passes overwrite it otherwise).
// Returns the number delivered here.
template <class F>
uint32_t queue_burst(const RxTable& table, RxPolicy pol, FrameRef* burst, uint32_t m,
                     ValidateResult* out, BurstQueue& q, SecyCounters& counters) {
  uint32_t delivered = 0;
  LookupCache cache;
  for (uint32_t i = 0; i < m; ++i) {
    FrameRef& f = burst[i];
    ValidateResult& res = out[i];
    res = ValidateResult{RxVerdict::NotValid, BadTagReason::TooShort, 0, 0, 0, 0, 0};
    const std::span<const uint8_t> bytes(f.data, f.len);
    ByteReader r(bytes);
    uint16_t ethertype = 0;
    if (!r.skip(kAddrLen) || !r.read_u16(ethertype)) {
      bad_tag(res, BadTagReason::TooShort, counters);
      continue;
    }
    if constexpr (F::kTags != 0) {
      // Clear tags (docs/framing.md): exactly F::kTags VLAN tags, then the SecTAG. A SecTAG
      // found earlier is a peer framing its frames differently: refused and counted.
      uint32_t tags = 0;
      bool short_frame = false;
      while (tags < F::kTags && detail::is_vlan_tpid(ethertype)) {
        if (!r.skip(2) || !r.read_u16(ethertype)) {
          short_frame = true;
          break;
        }
        ++tags;
      }
      if (short_frame) {
        bad_tag(res, BadTagReason::TooShort, counters);
        continue;
      }
      if (tags < F::kTags && ethertype == kMacsecEtherType) {
        bad_tag(res, BadTagReason::ClearTagMismatch, counters);
        continue;
      }
      if (tags < F::kTags) ethertype = 0;  // a plain frame with fewer tags: untagged below
    }
    if (ethertype != kMacsecEtherType) {
      delivered += decide_untagged(f, pol, res, counters);
      continue;
    }
    SecTag tag;
    BadTagReason why{};
    // PN zero is checked below, once the SA tells us whether the suite is XPN.
    if (!detail::parse_sectag_after_ethertype(r, f.len, /*xpn=*/true, tag, why)) {
      bad_tag(res, why, counters);
      continue;
    }
    res.an = tag.an;
    Sci sci = 0;
    const bool sci_known = resolve_sci(tag, f, table, sci);
    res.sci = sci;
    cache.refresh(table, sci_known, sci, tag.an, pol.replay_window);
    const bool c_bit = (tag.tci & kTciC) != 0;
    if (!cache.sc) {
      delivered += decide_no_sc<F>(f, tag, c_bit, pol, res, counters);
      continue;
    }
    RxSa* sa = cache.sa;
    if (!sa) {
      delivered += decide_no_sa<F>(f, tag, c_bit, *cache.sc, pol, res);
      continue;
    }
    if (tag.pn32 == 0 && !cache.xpn) {
      bad_tag(res, BadTagReason::PnZero, counters);
      continue;
    }
    // 10.6.2: recover the PN, then the replay check BEFORE any cryptographic work.
    uint64_t pn = 0;
    if (!detail::recover_pn(cache.xpn, tag.pn32, cache.lowest, pn) ||
        (pol.replay_protect && pn < cache.lowest)) {
      res.verdict = RxVerdict::Late;
      res.pn = pn;
      ++sa->counters(pol.slot).in_pkts_late;
      continue;
    }
    res.pn = pn;
    const bool e_bit = (tag.tci & kTciE) != 0;
    res.verdict = RxVerdict::Ok;
    res.plain_offset = tag.tag_len;
    res.plain_len = F::kPrefix + tag.secure_data_len;
    // 10.6.3: with validateFrames Disabled and no changed text the frame is not checked; the
    // commit pass decides Unchecked or Delayed (and the replay check) after the frames before it.
    if (pol.disabled && !c_bit) {
      q.pend[q.k++] = Pending{sa, i, pending_flags(false, e_bit) | kPendingUnchecked};
      q.one_sa_rising = false;
      continue;
    }
    i = queue_verified_run<F>(tag, sci, pn, c_bit, e_bit, cache, pol, burst, i, m, out, q) - 1;
  }
  return delivered;
}

// ---- pass 2: engine call -------------------------------------------------------------------

// One engine call for every queued operation; ok[op] says whether each ICV verified. Returns
// how many did.
inline uint32_t open_queued(CipherEngine& engine, BurstQueue& q, bool* ok) {
  return q.nops != 0 ? engine.open_burst(q.ops, q.nops, ok) : 0;
}

// ---- pass 3: fast commit -------------------------------------------------------------------

// Nearly every burst: one SA, rising PNs, every ICV good. If the first PN passes the replay
// check against the live nextPN, every later one does too (each is above its predecessor, and
// nextPN only moves to a predecessor's PN + 1), and none is Delayed: all are OK, and nextPN
// moves once, past the last. Returns false, having changed nothing, when the burst is not one
// of those; then commit_per_sa decides it. Otherwise returns true and adds to `delivered`.
template <class F>
inline bool commit_fast(const BurstQueue& q, uint32_t verified, RxPolicy pol, FrameRef* burst,
                        ValidateResult* out, SecyCounters& counters, uint32_t& delivered) {
  const uint32_t k = q.k;
  if (k == 0 || !q.one_sa_rising || verified != k) return false;
  RxSa* sa = q.pend[0].sa;
  const uint64_t lowest =
      RxSa::lowest_from(sa->next_pn(), sa->kay_lowest_pn(), pol.replay_window);
  if (out[q.pend[0].frame].pn < lowest) return false;
  // --replay-check strict: which of them were delivered before (bit j: pend[j]).
  const uint32_t dups = pol.dup_check ? detail::mark_rising_run(sa->replay_bitmap(), q, out) : 0;
  // Results were written as OK when queued. 10.7: InOctetsDecrypted counts E=1 frames' secure
  // data, InOctetsValidated E=0 frames'.
  uint64_t decrypted = 0;
  uint64_t validated = 0;
  for (uint32_t j = 0; j < k; ++j) {
    const uint32_t i = q.pend[j].frame;
    if (dups != 0 && (dups >> j & 1u)) {
      detail::drop_duplicate(out[i]);
      continue;
    }
    move_addresses<F>(burst[i].data, out[i].plain_offset);
    const uint64_t secure_len = out[i].plain_len - F::kPrefix;
    if (q.pend[j].flags & kPendingE) {
      decrypted += secure_len;
    } else {
      validated += secure_len;
    }
  }
  sa->raise_next_pn(RxSa::next_after(q.last_pn));
  RxSaCounters& c = sa->counters(pol.slot);
  const uint32_t ndup = static_cast<uint32_t>(__builtin_popcount(dups));
  c.in_pkts_ok += k - ndup;
  c.in_pkts_duplicate += ndup;
  c.in_octets_decrypted += decrypted;
  c.in_octets_validated += validated;
  counters.in_octets_decrypted += decrypted;
  counters.in_octets_validated += validated;
  delivered += k - ndup;
  return true;
}

// ---- pass 4: per-SA commit -----------------------------------------------------------------

// A run of queued frames of one SA. nextPN and the KaY floor are read once when it begins; its
// nextPN advance, OK count and octets are kept locally and published once when it ends, and
// every replay check in the run sees the advance (a duplicate later in the same burst is Late).
struct SaRun {
  RxSa* sa = nullptr;
  uint64_t next = 0;    // max(nextPN when the run began, PN + 1 of each frame validated)
  uint64_t floor = 0;
  uint64_t lowest = 0;  // lowest_from(next, floor, window), recomputed when next moves
  uint64_t ok = 0;
  uint64_t octets_decrypted = 0;
  uint64_t octets_validated = 0;

  void begin(RxSa* s, uint32_t replay_window) {
    *this = SaRun{s, s->next_pn(), s->kay_lowest_pn(), 0, 0, 0, 0};
    lowest = RxSa::lowest_from(next, floor, replay_window);
  }
  // 10.6.5: a frame whose ICV verified moves nextPN past its PN.
  void advance(uint64_t pn, uint32_t replay_window) {
    const uint64_t n = RxSa::next_after(pn);
    if (n > next) {
      next = n;
      lowest = RxSa::lowest_from(next, floor, replay_window);
    }
  }
  void publish(uint32_t slot, SecyCounters& counters) const {
    if (!sa) return;
    sa->raise_next_pn(next);
    RxSaCounters& c = sa->counters(slot);
    c.in_pkts_ok += ok;
    c.in_octets_decrypted += octets_decrypted;
    c.in_octets_validated += octets_validated;
    counters.in_octets_decrypted += octets_decrypted;
    counters.in_octets_validated += octets_validated;
  }
};

// 10.6.4 / 10.6.5 after verification, frame by frame in queue order; the replay state moves
// only on a valid ICV. Returns the number delivered.
template <class F>
uint32_t commit_per_sa(const BurstQueue& q, const bool* ok, RxPolicy pol, FrameRef* burst,
                       ValidateResult* out, SecyCounters& counters) {
  uint32_t delivered = 0;
  SaRun run;
  uint32_t op = 0;  // pend[j]'s engine operation, unless it is unchecked
  for (uint32_t j = 0; j < q.k; ++j) {
    const Pending& p = q.pend[j];
    const bool unchecked = (p.flags & kPendingUnchecked) != 0;
    const bool verified_ok = unchecked ? false : ok[op++];
    if (p.sa != run.sa) {
      run.publish(pol.slot, counters);
      run.begin(p.sa, pol.replay_window);
    }
    RxSaCounters& sac = p.sa->counters(pol.slot);
    FrameRef& f = burst[p.frame];
    ValidateResult& res = out[p.frame];
    const uint64_t pn = res.pn;
    const uint32_t tag_len = res.plain_offset;
    const uint32_t secure_len = res.plain_len - F::kPrefix;
    // Checked again: an earlier frame of this burst, or another lcore, may have advanced it.
    const uint64_t lowest = run.lowest;
    if (pol.replay_protect && pn < lowest) {
      res.verdict = RxVerdict::Late;
      res.plain_offset = res.plain_len = 0;
      ++sac.in_pkts_late;
      continue;
    }
    if (unchecked) {
      if (pn < lowest) {
        res.verdict = RxVerdict::Delayed;
        ++sac.in_pkts_delayed;
      } else {
        res.verdict = RxVerdict::Unchecked;
        ++sac.in_pkts_unchecked;
      }
      strip_tag<F>(f, tag_len, secure_len, res);
      ++delivered;
      continue;
    }
    if (!verified_ok) {
      if ((p.flags & kPendingC) || pol.strict) {
        res.verdict = RxVerdict::NotValid;
        res.plain_offset = res.plain_len = 0;
        ++sac.in_pkts_not_valid;
        continue;
      }
      // Check (Disabled with C=0 never reaches the engine): delivered, counted Invalid.
      res.verdict = RxVerdict::Invalid;
      ++sac.in_pkts_invalid;
      strip_tag<F>(f, tag_len, secure_len, res);
      ++delivered;
      continue;
    }
    if (pn < lowest) {
      res.verdict = RxVerdict::Delayed;
      ++sac.in_pkts_delayed;
    } else if (pol.dup_check && p.sa->replay_bitmap().seen_before(pn)) {
      detail::drop_duplicate(res);
      ++sac.in_pkts_duplicate;
      continue;
    } else {
      res.verdict = RxVerdict::Ok;
      ++run.ok;
    }
    // 10.7 InOctetsDecrypted / InOctetsValidated count user data recovered from received
    // frames: only frames whose ICV verified, never Late, NotValid or Invalid ones.
    ((p.flags & kPendingE) ? run.octets_decrypted : run.octets_validated) += secure_len;
    run.advance(pn, pol.replay_window);
    strip_tag<F>(f, tag_len, secure_len, res);
    ++delivered;
  }
  run.publish(pol.slot, counters);
  return delivered;
}

template <class F>
uint32_t validate_framed(CipherEngine& engine, const RxTable& table, const RxPolicy pol,
                         FrameRef* frames, uint32_t n, ValidateResult* results,
                         SecyCounters& counters) {
  uint32_t delivered = 0;
  for (uint32_t base = 0; base < n; base += kBurst) {
    const uint32_t m = n - base < kBurst ? n - base : kBurst;
    FrameRef* burst = frames + base;
    ValidateResult* out = results + base;
    BurstQueue q;
    delivered += queue_burst<F>(table, pol, burst, m, out, q, counters);
    bool ok[kBurst];
    const uint32_t verified = open_queued(engine, q, ok);
    if (!commit_fast<F>(q, verified, pol, burst, out, counters, delivered)) {
      delivered += commit_per_sa<F>(q, ok, pol, burst, out, counters);
    }
  }
  return delivered;
}

}  // namespace

uint32_t validate_burst(CipherEngine& engine, const RxTable& table, const SecyConfig& cfg,
                        FrameRef* frames, uint32_t n, ValidateResult* results,
                        SecyCounters& counters) {
  const RxPolicy pol = make_policy(engine, cfg);
  if (default_framing(cfg)) {
    return validate_framed<DefaultFraming>(engine, table, pol, frames, n, results, counters);
  }
  // Carrier framing (docs/framing.md): one instantiation per clear-tag count, with or without
  // a confidentiality offset. check_framing() has refused more than two tags.
  const bool off = cfg.confidentiality_offset != 0;
  switch (cfg.clear_tags) {
    case 0:
      return validate_framed<Framing<0, true>>(engine, table, pol, frames, n, results, counters);
    case 1:
      return off ? validate_framed<Framing<1, true>>(engine, table, pol, frames, n, results, counters)
                 : validate_framed<Framing<1, false>>(engine, table, pol, frames, n, results, counters);
    default:
      return off ? validate_framed<Framing<2, true>>(engine, table, pol, frames, n, results, counters)
                 : validate_framed<Framing<2, false>>(engine, table, pol, frames, n, results, counters);
  }
}

}  // namespace linkcrypt::secy
