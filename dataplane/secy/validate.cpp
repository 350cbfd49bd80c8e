// validate_burst: 802.1AE-2018 10.6 receive verification, in place, one engine call per burst.
#include "validate.h"

#include <cstring>

#include "byte_reader.h"
#include "iv.h"
#include "sectag_parse.h"

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

// A frame that passed SecTAG, SC/SA and replay checks and waits for the engine.
struct Pending {
  uint32_t frame;   // index within the burst
  RxSa* sa;
  uint64_t pn;
  bool c_bit;
  bool e_bit;
};

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

// Delivers a tagged frame: moves DA‖SA forward over the SecTAG so the plain frame is contiguous.
inline void strip_tag(FrameRef& f, const SecTag& tag, ValidateResult& res) {
  // Fixed-size copies through a temporary: inlined, and safe for the overlapping 8-octet tag.
  uint8_t addr[kAddrLen];
  std::memcpy(addr, f.data, kAddrLen);
  std::memcpy(f.data + tag.tag_len, addr, kAddrLen);
  res.plain_offset = tag.tag_len;
  res.plain_len = static_cast<uint32_t>(kAddrLen) + tag.secure_data_len;
}

inline void bad_tag(ValidateResult& res, BadTagReason why, SecyCounters& c) {
  res.verdict = RxVerdict::BadTag;
  res.bad_tag = why;
  ++c.in_pkts_bad_tag;
  ++c.in_bad_tag_by_reason[static_cast<size_t>(why)];
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
    SecTag tags[kBurst];
    Pending pend[kBurst];
    GcmOp ops[kBurst];
    uint32_t k = 0;
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
      SecTag& tag = tags[i];
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
      // Frames of a burst nearly always share one SC and SA: look them up (and read the SA's
      // suite, lowest PN and IV base) only when the SCI or AN changes. Pass 1 changes no state,
      // so the cached lowest PN is exact; pass 3 checks again against the live value.
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
      if (!recover_pn(xpn, tag.pn32, lowest, pn)) {
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
      // 10.6.3: with validateFrames Disabled and no changed text the frame is not checked.
      if (disabled && !c_bit) {
        if (pn < lowest) {
          res.verdict = RxVerdict::Delayed;
          ++sac.in_pkts_delayed;
        } else {
          res.verdict = RxVerdict::Unchecked;
          ++sac.in_pkts_unchecked;
        }
        strip_tag(f, tag, res);
        ++delivered;
        continue;
      }
      const bool e_bit = (tag.tci & kTciE) != 0;
      GcmOp& op = ops[k];
      op.key = &sa->key();
      if (xpn) {
        detail::build_iv<true>(op.iv, cache.iv_base, pn);
      } else {
        detail::build_iv<false>(op.iv, cache.iv_base, pn);
      }
      uint8_t* secure = f.data + kAddrLen + tag.tag_len;
      op.aad = f.data;
      op.text = secure;
      op.icv = secure + tag.secure_data_len;
      // 14.5: E=1 encrypts the secure data; otherwise it is all additional authenticated data.
      if (e_bit) {
        op.aad_len = static_cast<uint32_t>(kAddrLen) + tag.tag_len;
        op.text_len = tag.secure_data_len;
      } else {
        op.aad_len = static_cast<uint32_t>(kAddrLen) + tag.tag_len + tag.secure_data_len;
        op.text_len = 0;
      }
      pend[k] = Pending{i, sa, pn, c_bit, e_bit};
      ++k;
    }

    // Pass 2: one engine call for the burst.
    bool ok[kBurst];
    if (k != 0) engine.open_burst(ops, k, ok);

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
    for (uint32_t j = 0; j < k; ++j) {
      const Pending& p = pend[j];
      if (p.sa != run.sa) {
        end_run();
        run = Run{p.sa, p.sa->next_pn(), p.sa->kay_lowest_pn(), 0, 0, 0, 0};
        run.lowest = RxSa::lowest_from(run.next, run.floor, replay_window);
      }
      FrameRef& f = burst[p.frame];
      ValidateResult& res = out[p.frame];
      const SecTag& tag = tags[p.frame];
      // Checked again: an earlier frame of this burst, or another lcore, may have advanced it.
      const uint64_t lowest = run.lowest;
      if (replay_protect && p.pn < lowest) {
        res.verdict = RxVerdict::Late;
        ++p.sa->counters(slot).in_pkts_late;
        continue;
      }
      if (!ok[j]) {
        if (p.c_bit || strict) {
          res.verdict = RxVerdict::NotValid;
          ++p.sa->counters(slot).in_pkts_not_valid;
          continue;
        }
        // Check (Disabled with C=0 never reaches the engine): delivered, counted Invalid.
        res.verdict = RxVerdict::Invalid;
        ++p.sa->counters(slot).in_pkts_invalid;
        strip_tag(f, tag, res);
        ++delivered;
        continue;
      }
      if (p.pn < lowest) {
        res.verdict = RxVerdict::Delayed;
        ++p.sa->counters(slot).in_pkts_delayed;
      } else {
        res.verdict = RxVerdict::Ok;
        ++run.ok;
      }
      // 10.7 InOctetsDecrypted / InOctetsValidated count user data recovered from received
      // frames: only frames whose ICV verified, never Late, NotValid or Invalid ones.
      (p.e_bit ? run.octets_decrypted : run.octets_validated) += tag.secure_data_len;
      const uint64_t next = RxSa::next_after(p.pn);
      if (next > run.next) {
        run.next = next;
        run.lowest = RxSa::lowest_from(run.next, run.floor, replay_window);
      }
      strip_tag(f, tag, res);
      ++delivered;
    }
    end_run();
  }
  return delivered;
}

}  // namespace linkcrypt::secy
