// validate_burst: 802.1AE-2018 10.6 receive verification, in place, one engine call per burst.
#include "validate.h"

#include <cstring>

#include "byte_reader.h"
#include "iv.h"
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
};

// Moves DA‖SA forward over the SecTAG so the plain frame is contiguous.
inline void move_addresses(uint8_t* data, uint32_t tag_len) {
  // Fixed-size copies through a temporary: inlined, and safe for the overlapping 8-octet tag.
  uint8_t addr[kAddrLen];
  std::memcpy(addr, data, kAddrLen);
  std::memcpy(data + tag_len, addr, kAddrLen);
}

// Delivers a tagged frame: contiguous plain frame, and where it is.
inline void strip_tag(FrameRef& f, uint32_t tag_len, uint32_t secure_len, ValidateResult& res) {
  move_addresses(f.data, tag_len);
  res.plain_offset = tag_len;
  res.plain_len = static_cast<uint32_t>(kAddrLen) + secure_len;
}
inline void strip_tag(FrameRef& f, const SecTag& tag, ValidateResult& res) {
  strip_tag(f, tag.tag_len, tag.secure_data_len, res);
}

inline void bad_tag(ValidateResult& res, BadTagReason why, SecyCounters& c) {
  res.verdict = RxVerdict::BadTag;
  res.bad_tag = why;
  ++c.in_pkts_bad_tag;
  ++c.in_bad_tag_by_reason[static_cast<size_t>(why)];
}

}  // namespace

uint32_t validate_burst(CipherEngine& engine, const RxTable& table, const SecyConfig& cfg,
                        FrameRef* frames, uint32_t n, ValidateResult* results,
                        SecyCounters& counters) {
  const uint32_t slot = engine.lcore_slot();
  const bool strict = cfg.validate_frames == ValidateFrames::Strict;
  const bool disabled = cfg.validate_frames == ValidateFrames::Disabled;
  // Read once into locals: the loops store through uint8_t pointers (IVs, frame octets), which
  // may alias anything, so cfg fields read per frame would be reloaded from memory each time.
  const bool replay_protect = cfg.replay_protect;
  const uint32_t replay_window = cfg.replay_window;
  uint32_t delivered = 0;

  for (uint32_t base = 0; base < n; base += kBurst) {
    const uint32_t m = n - base < kBurst ? n - base : kBurst;
    FrameRef* burst = frames + base;
    ValidateResult* out = results + base;
    BurstQueue q;
    Pending* const pend = q.pend;
    LookupCache cache;

    // Pass 1: everything before the cipher (10.6.1, 10.6.2), and all IVs.
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
      // 10.6: a frame without a SecTAG is delivered (InPktsUntagged) unless Strict (InPktsNoTag).
      if (ethertype != kMacsecEtherType) {
        if (strict) {
          res.verdict = RxVerdict::NoTag;
          ++counters.in_pkts_no_tag;
        } else {
          res.verdict = RxVerdict::Untagged;
          res.plain_len = f.len;
          ++counters.in_pkts_untagged;
          ++delivered;
        }
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
      // 9.9: without an SCI, ES=1 means MAC SA ‖ 00-01; otherwise the one peer SC is implied.
      Sci sci = 0;
      bool sci_known = true;
      if (tag.has_sci) {
        sci = tag.sci;
      } else if (tag.tci & kTciEs) {
        for (size_t b = 6; b < kAddrLen; ++b) sci = (sci << 8) | f.data[b];
        sci = (sci << 16) | 0x0001;
      } else if (const RxSc* only = table.only_sc()) {
        sci = only->sci();
      } else {
        sci_known = false;
      }
      res.sci = sci;
      // Look the SC and SA up (and read the SA's suite, lowest PN and IV base) only when the
      // SCI or AN changes. Pass 1 changes no state, so the cached lowest PN is exact; pass 3
      // checks again against the live value.
      if (!cache.valid || !sci_known || sci != cache.sci || tag.an != cache.an) {
        cache.valid = sci_known;
        cache.sci = sci;
        cache.an = tag.an;
        cache.sc = sci_known ? table.find(sci) : nullptr;
        cache.sa = cache.sc ? cache.sc->sa(tag.an) : nullptr;
        if (cache.sa) {
          cache.xpn = is_xpn(cache.sa->suite());
          cache.lowest = cache.sa->lowest_pn(replay_window);
          cache.iv_base = detail::make_iv_base(cache.xpn, sci, cache.sa->xpn());
        }
      }
      const RxSc* sc = cache.sc;
      const bool c_bit = (tag.tci & kTciC) != 0;
      // 10.6.1: no receive SC for this SCI.
      if (!sc) {
        if (c_bit || strict) {
          res.verdict = RxVerdict::NoSci;
          ++counters.in_pkts_no_sci;
        } else {
          res.verdict = RxVerdict::UnknownSci;
          ++counters.in_pkts_unknown_sci;
          strip_tag(f, tag, res);
          ++delivered;
        }
        continue;
      }
      // 10.6.1: no receive SA in use for this AN.
      RxSa* sa = cache.sa;
      if (!sa) {
        if (c_bit || strict) {
          res.verdict = RxVerdict::NotUsingSa;
          ++sc->counters(slot).in_pkts_not_using_sa;
        } else {
          res.verdict = RxVerdict::UnusedSa;
          ++sc->counters(slot).in_pkts_unused_sa;
          strip_tag(f, tag, res);
          ++delivered;
        }
        continue;
      }
      const bool xpn = cache.xpn;
      if (tag.pn32 == 0 && !xpn) {
        bad_tag(res, BadTagReason::PnZero, counters);
        continue;
      }
      // 10.6.2: recover the PN, then the replay check BEFORE any cryptographic work.
      RxSaCounters& sac = sa->counters(slot);
      const uint64_t lowest = cache.lowest;
      uint64_t pn = 0;
      if (!detail::recover_pn(xpn, tag.pn32, lowest, pn)) {
        res.verdict = RxVerdict::Late;
        ++sac.in_pkts_late;
        continue;
      }
      res.pn = pn;
      if (replay_protect && pn < lowest) {
        res.verdict = RxVerdict::Late;
        ++sac.in_pkts_late;
        continue;
      }
      const bool e_bit = (tag.tci & kTciE) != 0;
      // 10.6.3: with validateFrames Disabled and no changed text the frame is not checked;
      // pass 3 decides Unchecked or Delayed (and the replay check) after the frames before it.
      // Either way the result is written as if delivered (pass 3 overwrites it otherwise).
      res.verdict = RxVerdict::Ok;
      res.plain_offset = tag.tag_len;
      res.plain_len = static_cast<uint32_t>(kAddrLen) + tag.secure_data_len;
      if (disabled && !c_bit) {
        pend[q.k++] = Pending{sa, i, pending_flags(false, e_bit) | kPendingUnchecked};
        q.one_sa_rising = false;
        continue;
      }
      const uint32_t flags = pending_flags(c_bit, e_bit);
      if (xpn) {
        detail::fill_op<true>(q.ops[q.nops++], sa->key(), cache.iv_base, pn, f.data, tag.tag_len,
                              tag.secure_data_len, e_bit);
      } else {
        detail::fill_op<false>(q.ops[q.nops++], sa->key(), cache.iv_base, pn, f.data, tag.tag_len,
                               tag.secure_data_len, e_bit);
      }
      q.note(sa, pn);
      pend[q.k++] = Pending{sa, i, flags};
      // The frames after it nearly always repeat its header: queue those without the checks
      // above (they would pass them the same way), then continue after them.
      const detail::HeaderTemplate t{
          detail::load_raw32(f.data + kAddrLen),  // parsed above: the frame has these octets
          tag.has_sci ? detail::load_raw64(f.data + kAddrLen + 8) : 0,
          tag.has_sci,
          tag.tag_len,
          tag.sl,
          tag.an,
          flags,
          static_cast<uint32_t>(kAddrLen) + tag.tag_len + static_cast<uint32_t>(kShortLenLimit + kIcvLen),
          static_cast<uint32_t>(kAddrLen) + tag.tag_len + tag.sl + static_cast<uint32_t>(kIcvLen),
          sci,
          sa,
          lowest,
          replay_protect,
          cache.iv_base};
      const uint32_t next = xpn ? detail::queue_repeats<true>(t, burst, i + 1, m, out, q)
                                : detail::queue_repeats<false>(t, burst, i + 1, m, out, q);
      i = next - 1;
    }

    // Pass 2: one engine call for the burst.
    bool ok[kBurst];
    const uint32_t k = q.k;
    const uint32_t verified = q.nops != 0 ? engine.open_burst(q.ops, q.nops, ok) : 0;

    // Pass 3, fast path (nearly every burst): one SA, rising PNs, every ICV good. If the first
    // PN passes the replay check against the live nextPN, every later one does too (each is
    // above its predecessor, and nextPN only moves to a predecessor's PN + 1), and none is
    // Delayed: all are OK, and nextPN moves once, past the last.
    if (k != 0 && q.one_sa_rising && verified == k) {
      RxSa* sa = pend[0].sa;
      const uint64_t lowest = RxSa::lowest_from(sa->next_pn(), sa->kay_lowest_pn(), replay_window);
      if (out[pend[0].frame].pn >= lowest) {
        // Results were written as OK when queued. 10.7: InOctetsDecrypted counts E=1 frames'
        // secure data, InOctetsValidated E=0 frames'.
        uint64_t decrypted = 0;
        uint64_t validated = 0;
        for (uint32_t j = 0; j < k; ++j) {
          const uint32_t i = pend[j].frame;
          move_addresses(burst[i].data, out[i].plain_offset);
          const uint64_t secure_len = out[i].plain_len - kAddrLen;
          if (pend[j].flags & kPendingE) {
            decrypted += secure_len;
          } else {
            validated += secure_len;
          }
        }
        sa->raise_next_pn(RxSa::next_after(q.last_pn));
        RxSaCounters& c = sa->counters(slot);
        c.in_pkts_ok += k;
        c.in_octets_decrypted += decrypted;
        c.in_octets_validated += validated;
        counters.in_octets_decrypted += decrypted;
        counters.in_octets_validated += validated;
        delivered += k;
        continue;
      }
    }

    // Pass 3: 10.6.4 / 10.6.5 after verification; the replay state moves only on a valid ICV.
    // A run of frames of one SA advances a local nextPN, published with one atomic max when
    // the run ends, and every replay check in the run sees it (a duplicate later in the same
    // burst is Late).
    // Per run of one SA: nextPN and the KaY floor are read once, the OK counters and octets are
    // summed locally and added once.
    struct Run {
      RxSa* sa = nullptr;
      uint64_t next = 0;   // max(nextPN when the run began, PN + 1 of each frame validated)
      uint64_t floor = 0;
      uint64_t lowest = 0; // lowest_from(next, floor, window), recomputed when next moves
      uint64_t ok = 0;
      uint64_t octets_decrypted = 0;
      uint64_t octets_validated = 0;
    } run;
    auto end_run = [&] {
      if (!run.sa) return;
      run.sa->raise_next_pn(run.next);
      RxSaCounters& c = run.sa->counters(slot);
      c.in_pkts_ok += run.ok;
      c.in_octets_decrypted += run.octets_decrypted;
      c.in_octets_validated += run.octets_validated;
      counters.in_octets_decrypted += run.octets_decrypted;
      counters.in_octets_validated += run.octets_validated;
    };
    uint32_t op = 0;  // pend[j]'s engine operation, unless it is unchecked
    for (uint32_t j = 0; j < k; ++j) {
      const Pending& p = pend[j];
      const bool unchecked = (p.flags & kPendingUnchecked) != 0;
      const bool verified_ok = unchecked ? false : ok[op++];
      if (p.sa != run.sa) {
        end_run();
        run = Run{p.sa, p.sa->next_pn(), p.sa->kay_lowest_pn(), 0, 0, 0, 0};
        run.lowest = RxSa::lowest_from(run.next, run.floor, replay_window);
      }
      FrameRef& f = burst[p.frame];
      ValidateResult& res = out[p.frame];
      const uint64_t pn = res.pn;
      const uint32_t tag_len = res.plain_offset;
      const uint32_t secure_len = res.plain_len - static_cast<uint32_t>(kAddrLen);
      // Checked again: an earlier frame of this burst, or another lcore, may have advanced it.
      const uint64_t lowest = run.lowest;
      if (replay_protect && pn < lowest) {
        res.verdict = RxVerdict::Late;
        res.plain_offset = res.plain_len = 0;
        ++p.sa->counters(slot).in_pkts_late;
        continue;
      }
      if (unchecked) {
        if (pn < lowest) {
          res.verdict = RxVerdict::Delayed;
          ++p.sa->counters(slot).in_pkts_delayed;
        } else {
          res.verdict = RxVerdict::Unchecked;
          ++p.sa->counters(slot).in_pkts_unchecked;
        }
        strip_tag(f, tag_len, secure_len, res);
        ++delivered;
        continue;
      }
      if (!verified_ok) {
        if ((p.flags & kPendingC) || strict) {
          res.verdict = RxVerdict::NotValid;
          res.plain_offset = res.plain_len = 0;
          ++p.sa->counters(slot).in_pkts_not_valid;
          continue;
        }
        // Check (Disabled with C=0 never reaches the engine): delivered, counted Invalid.
        res.verdict = RxVerdict::Invalid;
        ++p.sa->counters(slot).in_pkts_invalid;
        strip_tag(f, tag_len, secure_len, res);
        ++delivered;
        continue;
      }
      if (pn < lowest) {
        res.verdict = RxVerdict::Delayed;
        ++p.sa->counters(slot).in_pkts_delayed;
      } else {
        res.verdict = RxVerdict::Ok;
        ++run.ok;
      }
      // 10.7 InOctetsDecrypted / InOctetsValidated count user data recovered from received
      // frames: only frames whose ICV verified, never Late, NotValid or Invalid ones.
      ((p.flags & kPendingE) ? run.octets_decrypted : run.octets_validated) += secure_len;
      const uint64_t next = RxSa::next_after(pn);
      if (next > run.next) {
        run.next = next;
        run.lowest = RxSa::lowest_from(run.next, run.floor, replay_window);
      }
      strip_tag(f, tag_len, secure_len, res);
      ++delivered;
    }
    end_run();
  }
  return delivered;
}

}  // namespace linkcrypt::secy
