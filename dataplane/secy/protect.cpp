// protect_burst: SecTAG insertion, PN assignment and GCM protection in place (802.1AE 10.5).
#include "protect.h"

#include <cstring>

#include "iv.h"

namespace linkcrypt::secy {

const char* protect_verdict_name(ProtectVerdict v) {
  switch (v) {
    case ProtectVerdict::Ok: return "OK";
    case ProtectVerdict::PnExhausted: return "PnExhausted";
    case ProtectVerdict::PnUnreserved: return "PnUnreserved";
    case ProtectVerdict::TooLong: return "TooLong";
    case ProtectVerdict::TooShort: return "TooShort";
    case ProtectVerdict::ClearTagMissing: return "ClearTagMissing";
  }
  return "?";
}

namespace {

// Builds the SecTAG, IV and GcmOp of the k admitted frames. Templated so the per-frame loop has
// no branch on suite, confidentiality or SCI inclusion.
template <bool Xpn, bool Conf, bool WithSci>
uint64_t build_ops(const TxSa& sa, FrameRef* frames, const uint8_t* idx, uint32_t k,
                   uint64_t first_pn, GcmOp* ops) {
  constexpr uint32_t kTagLen = static_cast<uint32_t>(sectag_len(WithSci));
  // 9.4: SC=1 carries the SCI; without it ES=1 says the SCI is MAC SA ‖ 00-01 (9.9).
  constexpr uint8_t kTci =
      static_cast<uint8_t>((WithSci ? kTciSc : kTciEs) | (Conf ? (kTciE | kTciC) : 0));
  const detail::IvBase base = detail::make_iv_base(Xpn, sa.sci(), sa.xpn());
  const SaKey* key = &sa.key();
  const uint8_t an = sa.an();
  const Sci sci = sa.sci();
  uint64_t octets = 0;
  for (uint32_t j = 0; j < k; ++j) {
    FrameRef& f = frames[idx[j]];
    const uint64_t pn = first_pn + j;
    uint8_t* d = f.data;
    const uint32_t secure_len = f.len - static_cast<uint32_t>(kAddrLen);
    std::memmove(d, d + kTagLen, kAddrLen);
    build_sectag(d + kAddrLen, kTci, an, secure_len, static_cast<uint32_t>(pn), sci);
    GcmOp& op = ops[j];
    op.key = key;
    detail::build_iv<Xpn>(op.iv, base, pn);
    uint8_t* secure = d + kAddrLen + kTagLen;
    op.aad = d;
    op.text = secure;
    op.icv = secure + secure_len;
    // 14.5: with confidentiality the AAD is DA‖SA‖SecTAG; integrity only, all of it.
    if constexpr (Conf) {
      op.aad_len = kAddrLen + kTagLen;
      op.text_len = secure_len;
    } else {
      op.aad_len = kAddrLen + kTagLen + secure_len;
      op.text_len = 0;
    }
    f.len += kTagLen + static_cast<uint32_t>(kIcvLen);
    octets += secure_len;
  }
  return octets;
}

// Carrier framing (docs/framing.md), for every frame of the burst: `prefix` octets (DA‖SA and
// the clear tags) stay in front of the SecTAG; the first `offset` octets of the secure data are
// authenticated, not encrypted.
struct Framing {
  uint32_t prefix;
  uint32_t offset;
};

// build_ops for a SecY with clear tags or a confidentiality offset. Kept apart so the default
// builders above stay as they were; only the suite is a template parameter (the IV).
template <bool Xpn>
uint64_t build_ops_framed(const TxSa& sa, const SecyConfig& cfg, FrameRef* frames,
                          const uint8_t* idx, uint32_t k, uint64_t first_pn, GcmOp* ops) {
  const bool conf = cfg.confidentiality;
  const uint32_t tag_len = static_cast<uint32_t>(sectag_len(cfg.include_sci));
  const Framing fr{static_cast<uint32_t>(kAddrLen) + kVlanTagLen * cfg.clear_tags,
                   cfg.confidentiality_offset};
  // 9.4.5/9.4.6: with an offset the frame is still encrypted and changed, E=C=1.
  const uint8_t tci = static_cast<uint8_t>((cfg.include_sci ? kTciSc : kTciEs) |
                                           (conf ? (kTciE | kTciC) : 0));
  const detail::IvBase base = detail::make_iv_base(Xpn, sa.sci(), sa.xpn());
  uint64_t octets = 0;
  for (uint32_t j = 0; j < k; ++j) {
    FrameRef& f = frames[idx[j]];
    const uint64_t pn = first_pn + j;
    uint8_t* d = f.data;
    // Admission made sure the frame holds the prefix and an EtherType after it.
    const uint32_t secure_len = f.len - fr.prefix;
    std::memmove(d, d + tag_len, fr.prefix);
    build_sectag(d + fr.prefix, tci, sa.an(), secure_len, static_cast<uint32_t>(pn), sa.sci());
    GcmOp& op = ops[j];
    op.key = &sa.key();
    detail::build_iv<Xpn>(op.iv, base, pn);
    uint8_t* secure = d + fr.prefix + tag_len;
    // 14.5 with 10.7.25: the AAD is DA‖SA‖clear tags‖SecTAG‖the first `offset` octets of the
    // secure data (all of it when it is shorter); the rest is encrypted. Integrity only: all.
    const uint32_t clear = conf ? (secure_len < fr.offset ? secure_len : fr.offset) : secure_len;
    op.aad = d;
    op.aad_len = fr.prefix + tag_len + clear;
    op.text = secure + clear;
    op.text_len = secure_len - clear;
    op.icv = secure + secure_len;
    f.len += tag_len + static_cast<uint32_t>(kIcvLen);
    octets += secure_len;
  }
  return octets;
}

// Whether octets [12, 12 + 4·n) of a plain frame of `len` octets are n VLAN tags followed by an
// EtherType: 802.1Q C-tag (0x8100) or 802.1ad S-tag (0x88A8).
bool has_clear_tags(const uint8_t* d, uint32_t len, uint32_t n) {
  if (len < kAddrLen + kVlanTagLen * n + 2) return false;
  for (uint32_t t = 0; t < n; ++t) {
    const uint8_t* tpid = d + kAddrLen + kVlanTagLen * t;
    const uint16_t v = static_cast<uint16_t>((tpid[0] << 8) | tpid[1]);
    if (v != kTpidCtag && v != kTpidStag) return false;
  }
  return true;
}

using BuildFn = uint64_t (*)(const TxSa&, FrameRef*, const uint8_t*, uint32_t, uint64_t, GcmOp*);

BuildFn pick_builder(bool xpn, bool conf, bool sci) {
  static constexpr BuildFn kTable[8] = {
      build_ops<false, false, false>, build_ops<false, false, true>,
      build_ops<false, true, false>,  build_ops<false, true, true>,
      build_ops<true, false, false>,  build_ops<true, false, true>,
      build_ops<true, true, false>,   build_ops<true, true, true>,
  };
  return kTable[(xpn ? 4 : 0) | (conf ? 2 : 0) | (sci ? 1 : 0)];
}

}  // namespace

ProtectBurstResult protect_burst(CipherEngine& engine, TxSa& sa, const SecyConfig& cfg,
                                 FrameRef* frames, uint32_t n, ProtectVerdict* verdicts,
                                 SecyCounters& counters) {
  ProtectBurstResult result;
  const uint32_t tag_len = static_cast<uint32_t>(sectag_len(cfg.include_sci));
  const uint32_t max_plain = cfg.max_protected_len > tag_len + kIcvLen
                                 ? cfg.max_protected_len - tag_len - static_cast<uint32_t>(kIcvLen)
                                 : 0;
  const bool xpn = is_xpn(sa.suite());
  const BuildFn build = pick_builder(xpn, cfg.confidentiality, cfg.include_sci);
  const bool framed = !default_framing(cfg);
  const uint32_t clear_tags = cfg.clear_tags;
  TxSaCounters& sa_counters = sa.counters(engine.lcore_slot());

  for (uint32_t base = 0; base < n; base += kBurst) {
    const uint32_t m = n - base < kBurst ? n - base : kBurst;
    FrameRef* burst = frames + base;
    ProtectVerdict* out = verdicts + base;
    // 1. Admit by length (10.5: a frame that cannot be carried is OutPktsTooLong).
    uint8_t idx[kBurst];
    uint32_t k = 0;
    for (uint32_t i = 0; i < m; ++i) {
      const uint32_t len = burst[i].len;
      if (len < kMinPlainFrameLen) {
        out[i] = ProtectVerdict::TooShort;
        ++counters.tx_too_short;
      } else if (len > max_plain) {
        out[i] = ProtectVerdict::TooLong;
        ++counters.out_pkts_too_long;
      } else if (clear_tags != 0 &&
                 !has_clear_tags(burst[i].data + tag_len, len, clear_tags)) {
        // The peer looks for the SecTAG after exactly clear_tags tags (docs/framing.md).
        out[i] = ProtectVerdict::ClearTagMissing;
        ++counters.tx_clear_tag_missing;
      } else {
        out[i] = ProtectVerdict::Ok;
        idx[k++] = static_cast<uint8_t>(i);
      }
    }
    if (k == 0) continue;
    // 2. One PN reservation for the burst. A PN is never reused (10.5.2): past the end of the
    //    PN space the SA refuses to send.
    uint64_t first_pn = 0;
    const uint32_t granted = sa.reserve_pns(k, first_pn);
    if (granted < k) {
      // Either the PN space is used up, or the control plane has not yet made the next block
      // of PNs durable (docs/keyfile.md): never send a PN a restart could send again.
      if (sa.pn_space_used_up()) {
        for (uint32_t j = granted; j < k; ++j) out[idx[j]] = ProtectVerdict::PnExhausted;
        counters.tx_pn_exhausted += k - granted;
        sa_counters.tx_pn_exhausted += k - granted;
        sa.mark_exhausted();
      } else {
        for (uint32_t j = granted; j < k; ++j) out[idx[j]] = ProtectVerdict::PnUnreserved;
        counters.tx_pn_unreserved += k - granted;
        sa_counters.tx_pn_unreserved += k - granted;
      }
      k = granted;
      if (k == 0) continue;
    }
    if (first_pn + (k - 1) >= sa.rekey_threshold() && sa.mark_threshold_reached()) {
      result.threshold_crossed = true;
    }
    // 3. All SecTAGs and IVs first, then the GCM calls (design.md §6).
    GcmOp ops[kBurst];
    const uint64_t octets =
        !framed ? build(sa, burst, idx, k, first_pn, ops)
        : xpn   ? build_ops_framed<true>(sa, cfg, burst, idx, k, first_pn, ops)
                : build_ops_framed<false>(sa, cfg, burst, idx, k, first_pn, ops);
    engine.seal_burst(ops, k);
    result.protected_count += k;
    if (cfg.confidentiality) {
      sa_counters.out_pkts_encrypted += k;
      sa_counters.out_octets_encrypted += octets;
      counters.out_octets_encrypted += octets;
    } else {
      sa_counters.out_pkts_protected += k;
      sa_counters.out_octets_protected += octets;
      counters.out_octets_protected += octets;
    }
  }
  return result;
}

}  // namespace linkcrypt::secy
