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

// A frame that passed SecTAG, SC/SA and replay checks and waits for pass 3: what pass 3 needs
// of it. Frames that are not verified (validateFrames Disabled, C=0) wait too: their replay
// check must see the frames before them in the burst, verified or not, as when one at a time.
// Its PN, SecTAG length (plain_offset) and secure data length (plain_len - 12) are in its
// ValidateResult already, written as if it will be delivered.
struct Pending {
  RxSa* sa;
  uint32_t frame;  // index within the burst
  uint32_t flags;  // kPending*
};
constexpr uint32_t kPendingC = 1;          // TCI C bit
constexpr uint32_t kPendingE = 2;          // TCI E bit
constexpr uint32_t kPendingUnchecked = 4;  // no engine operation (10.6.3)

constexpr uint32_t pending_flags(bool c_bit, bool e_bit) {
  return (c_bit ? kPendingC : 0) | (e_bit ? kPendingE : 0);
}

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

// The SecTAG of the last frame of this burst that fully parsed and was queued for the engine.
// A later frame whose octets 12..15 (EtherType, TCI‖AN, SL) and SCI field are the same passed
// every TCI rule, names the same SC and SA and takes the same 10.6 branches; only its length,
// SL rule, PN and replay check remain to be done (repeat_of_template).
struct HeaderTemplate {
  bool valid = false;
  uint32_t word = 0;       // octets 12..15 as stored in the frame
  uint64_t sci_raw = 0;    // octets 20..27 as stored, when has_sci
  bool has_sci = false;
  uint32_t flags = 0;      // pending_flags of its C and E bits
  uint8_t an = 0;
  uint8_t tag_len = 0;
  uint8_t sl = 0;
  uint32_t min_len = 0;    // SL == 0: shortest frame with >= 48 octets of secure data
  uint32_t exact_len = 0;  // SL != 0: the only length taken here (padded minimum frames are not)
  Sci sci = 0;
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
    Pending pend[kBurst];
    GcmOp ops[kBurst];
    uint32_t k = 0;     // pending frames
    uint32_t nops = 0;  // of which engine operations
    LookupCache cache;
    HeaderTemplate tmpl;
    // True while every frame sent to the engine uses one SA with strictly rising PNs: then, if
    // all verify, pass 3 needs only one replay check (see the fast path there).
    bool one_sa_rising = true;
    RxSa* burst_sa = nullptr;
    uint64_t last_pn = 0;
    uint64_t queued_octets[2] = {0, 0};  // secure data of queued frames: [0] E=0, [1] E=1

    // Queues a frame whose checks before the cipher all passed: its GCM operation, IV and what
    // pass 3 needs. The SA and IV base are the lookup cache's (the frame's own SC/SA).
    auto queue = [&](uint32_t i, uint64_t pn, uint32_t tag_len, uint32_t secure_len,
                     uint32_t flags) __attribute__((always_inline)) {
      const bool e_bit = (flags & kPendingE) != 0;
      FrameRef& f = burst[i];
      RxSa* sa = cache.sa;
      GcmOp& op = ops[nops++];
      op.key = &sa->key();
      if (cache.xpn) {
        detail::build_iv<true>(op.iv, cache.iv_base, pn);
      } else {
        detail::build_iv<false>(op.iv, cache.iv_base, pn);
      }
      uint8_t* secure = f.data + kAddrLen + tag_len;
      op.aad = f.data;
      op.text = secure;
      op.icv = secure + secure_len;
      // 14.5: E=1 encrypts the secure data; otherwise it is all additional authenticated data.
      if (e_bit) {
        op.aad_len = static_cast<uint32_t>(kAddrLen) + tag_len;
        op.text_len = secure_len;
      } else {
        op.aad_len = static_cast<uint32_t>(kAddrLen) + tag_len + secure_len;
        op.text_len = 0;
      }
      pend[k] = Pending{sa, i, flags};
      queued_octets[e_bit] += secure_len;
      if (k == 0) {
        burst_sa = sa;
      } else if (sa != burst_sa || pn <= last_pn) {
        one_sa_rising = false;
      }
      last_pn = pn;
      ++k;
    };

    // The common case: a frame that repeats the template's header (same SC, SA and TCI as a
    // frame already queued). Returns false, having changed nothing, for anything else; the
    // full checks below then decide (and count) it.
    auto repeat_of_template = [&](uint32_t i) __attribute__((always_inline)) {
      const FrameRef& f = burst[i];
      if (!tmpl.valid) return false;
      // Length first: every octet read below lies inside the frame.
      if (tmpl.sl == 0 ? f.len < tmpl.min_len : f.len != tmpl.exact_len) return false;
      if (load_raw32(f.data + kAddrLen) != tmpl.word) return false;
      if (tmpl.has_sci && load_raw64(f.data + kAddrLen + 8) != tmpl.sci_raw) return false;
      uint32_t pn32_be = 0;
      std::memcpy(&pn32_be, f.data + kAddrLen + 4, sizeof pn32_be);
      const uint32_t pn32 = __builtin_bswap32(pn32_be);
      uint64_t pn = 0;
      if (pn32 == 0 && !cache.xpn) return false;
      if (!recover_pn(cache.xpn, pn32, cache.lowest, pn)) return false;
      if (replay_protect && pn < cache.lowest) return false;
      const uint32_t secure_len =
          tmpl.sl != 0 ? tmpl.sl : f.len - (static_cast<uint32_t>(kAddrLen) + tmpl.tag_len + kIcvLen);
      // The result as it will be if the frame verifies (pass 3 overwrites it otherwise).
      out[i] = ValidateResult{RxVerdict::Ok, BadTagReason::TooShort, tmpl.tag_len,
                              static_cast<uint32_t>(kAddrLen) + secure_len, pn, tmpl.sci, tmpl.an};
      queue(i, pn, tmpl.tag_len, secure_len, tmpl.flags);
      return true;
    };

    // Pass 1: everything before the cipher (10.6.1, 10.6.2), and all IVs.
    for (uint32_t i = 0; i < m; ++i) {
      if (repeat_of_template(i)) continue;
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
        tmpl.valid = false;  // it described the previous SC/SA
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
      const bool e_bit = (tag.tci & kTciE) != 0;
      // 10.6.3: with validateFrames Disabled and no changed text the frame is not checked;
      // pass 3 decides Unchecked or Delayed (and the replay check) after the frames before it.
      // Either way the result is written as if delivered (pass 3 overwrites it otherwise).
      res.verdict = RxVerdict::Ok;
      res.plain_offset = tag.tag_len;
      res.plain_len = static_cast<uint32_t>(kAddrLen) + tag.secure_data_len;
      if (disabled && !c_bit) {
        pend[k++] = Pending{sa, i, pending_flags(false, e_bit) | kPendingUnchecked};
        one_sa_rising = false;
        continue;
      }
      queue(i, pn, tag.tag_len, tag.secure_data_len, pending_flags(c_bit, e_bit));
      tmpl.valid = true;
      tmpl.word = load_raw32(f.data + kAddrLen);  // parsed above: the frame has these octets
      tmpl.has_sci = tag.has_sci;
      tmpl.sci_raw = tag.has_sci ? load_raw64(f.data + kAddrLen + 8) : 0;
      tmpl.flags = pending_flags(c_bit, e_bit);
      tmpl.an = tag.an;
      tmpl.tag_len = tag.tag_len;
      tmpl.sl = tag.sl;
      tmpl.min_len = static_cast<uint32_t>(kAddrLen) + tag.tag_len + kShortLenLimit + kIcvLen;
      tmpl.exact_len = static_cast<uint32_t>(kAddrLen) + tag.tag_len + tag.sl + kIcvLen;
      tmpl.sci = sci;
    }

    // Pass 2: one engine call for the burst.
    bool ok[kBurst];
    const uint32_t verified = nops != 0 ? engine.open_burst(ops, nops, ok) : 0;

    // Pass 3, fast path (nearly every burst): one SA, rising PNs, every ICV good. If the first
    // PN passes the replay check against the live nextPN, every later one does too (each is
    // above its predecessor, and nextPN only moves to a predecessor's PN + 1), and none is
    // Delayed: all are OK, and nextPN moves once, past the last.
    if (k != 0 && one_sa_rising && verified == k) {
      const uint64_t lowest =
          RxSa::lowest_from(burst_sa->next_pn(), burst_sa->kay_lowest_pn(), replay_window);
      if (out[pend[0].frame].pn >= lowest) {
        // Results were written as OK when queued.
        for (uint32_t j = 0; j < k; ++j) {
          const uint32_t i = pend[j].frame;
          move_addresses(burst[i].data, out[i].plain_offset);
        }
        burst_sa->raise_next_pn(RxSa::next_after(last_pn));
        RxSaCounters& c = burst_sa->counters(slot);
        c.in_pkts_ok += k;
        // 10.7: InOctetsDecrypted (E=1) and InOctetsValidated (E=0).
        c.in_octets_decrypted += queued_octets[1];
        c.in_octets_validated += queued_octets[0];
        counters.in_octets_decrypted += queued_octets[1];
        counters.in_octets_validated += queued_octets[0];
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
