// Transmit: protect a burst of frames in place with one TxSa (802.1AE 10.5, SecTAG per clause 9).
#pragma once

#include <cstdint>

#include "config.h"
#include "counters.h"
#include "engine.h"
#include "frame.h"
#include "sa.h"
#include "sectag.h"

namespace linkcrypt::secy {

enum class ProtectVerdict : uint8_t {
  Ok,           // protected; frame.len is the protected length
  PnExhausted,  // the SA's PN space is used up: dropped (TxPnExhausted)
  TooLong,      // protected frame would exceed cfg.max_protected_len (OutPktsTooLong)
  TooShort,     // plain frame shorter than DA‖SA‖EtherType (TxTooShort)
  PnUnreserved, // the next PN is past the durable PN reservation: dropped (TxPnUnreserved)
  ClearTagMissing, // fewer VLAN tags than cfg.clear_tags (TxClearTagMissing, docs/framing.md)
};
[[nodiscard]] const char* protect_verdict_name(ProtectVerdict v);

struct ProtectBurstResult {
  uint32_t protected_count = 0;
  // True for exactly one burst per SA: the one in which a PN reached rekey_threshold(). The
  // worker forwards it to the control plane; TxSa::threshold_reached() stays set for polling.
  bool threshold_crossed = false;
};

// IN-PLACE CONTRACT. For each frame on input: frames[i].data points at a buffer whose first
// sectag_len(cfg.include_sci) octets are headroom; the plain frame DA‖SA‖EtherType‖payload
// follows at data + sectag_len, frames[i].len is the PLAIN length, and the caller guarantees
// kIcvLen writable octets after the plain frame. On Ok the SecY has moved DA‖SA to data[0..12),
// written the SecTAG, encrypted (or, integrity-only, left) the user data in place, appended the
// ICV, and set frames[i].len = plain_len + sectag_len + kIcvLen. Other verdicts leave len as is.
// With clear tags (cfg.clear_tags = n) the plain frame is DA‖SA‖n tags‖EtherType‖payload and
// the SecTAG goes after the tags: DA‖SA‖tags are moved to data[0..12+4n) (docs/framing.md).
// (DPDK: rte_pktmbuf_prepend(m, sectag_len); rte_pktmbuf_append(m, kIcvLen); then call.)
//
// One PN block is reserved for the whole burst; all IVs are built before the GCM calls; one
// virtual engine call per kBurst frames. `counters` is the calling lcore's SecY block; SA
// counters are kept in sa.counters(engine.lcore_slot()).
ProtectBurstResult protect_burst(CipherEngine& engine, TxSa& sa, const SecyConfig& cfg,
                                 FrameRef* frames, uint32_t n, ProtectVerdict* verdicts,
                                 SecyCounters& counters);

// Must-secure (design.md §1): with no usable TxSa the caller drops the burst through this, which
// counts TxNoSa for each frame.
inline void count_tx_no_sa(uint32_t n, SecyCounters& counters) { counters.tx_no_sa += n; }

}  // namespace linkcrypt::secy
