// The 802.1AE counters (10.7, IEEE8021-SECY-MIB) per SecY, SC and SA, plus our own drop counters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sectag.h"

namespace linkcrypt::secy {

// Per-lcore counter blocks for SCs and SAs live inside those objects, indexed by
// CipherEngine::lcore_slot(), which must be below this.
inline constexpr uint32_t kMaxLcores = 32;

// Each block is 64-bit, written by one lcore only (no atomics on the fast path) and summed on
// read with +=. Fields are snake_case; visit_counters() reports them under the standard names.

// SecY-level counters (10.7.3 / 10.7.4 "SecY" rows).
struct alignas(64) SecyCounters {
  // receive
  uint64_t in_pkts_untagged = 0;    // InPktsUntagged: no SecTAG, delivered (not Strict)
  uint64_t in_pkts_no_tag = 0;      // InPktsNoTag: no SecTAG, discarded (Strict)
  uint64_t in_pkts_bad_tag = 0;     // InPktsBadTag: invalid SecTAG
  uint64_t in_pkts_unknown_sci = 0; // InPktsUnknownSCI: no RxSC, delivered (not Strict, C=0)
  uint64_t in_pkts_no_sci = 0;      // InPktsNoSCI: no RxSC, discarded
  uint64_t in_pkts_overrun = 0;     // InPktsOverrun: never incremented, the engines never queue
  uint64_t in_octets_validated = 0; // InOctetsValidated: integrity-only user data octets
  uint64_t in_octets_decrypted = 0; // InOctetsDecrypted: confidentiality user data octets
  // transmit
  uint64_t out_pkts_untagged = 0;   // OutPktsUntagged: never incremented (must-secure)
  uint64_t out_pkts_too_long = 0;   // OutPktsTooLong: frame + overhead exceeds the max length
  uint64_t out_octets_protected = 0;  // OutOctetsProtected: integrity-only user data octets
  uint64_t out_octets_encrypted = 0;  // OutOctetsEncrypted: encrypted user data octets
  // ours
  uint64_t tx_no_sa = 0;            // TxNoSa: no usable transmit SA (must-secure drop)
  uint64_t tx_pn_exhausted = 0;     // TxPnExhausted: the SA's PN space is used up (10.5.2)
  uint64_t tx_pn_unreserved = 0;    // TxPnUnreserved: the next PN is not yet durably reserved
  uint64_t tx_too_short = 0;        // TxTooShort: plain frame shorter than DA‖SA‖EtherType
  uint64_t tx_clear_tag_missing = 0;  // TxClearTagMissing: fewer VLAN tags than clear-tags
  uint64_t in_bad_tag_by_reason[static_cast<size_t>(BadTagReason::kCount)] = {};  // InPktsBadTag split by BadTagReason

  SecyCounters& operator+=(const SecyCounters& o);
};

// Per receive SC (10.7.2 "Receive SC" rows). InPktsOK.. are per SA too; the SC value is the
// sum of its SAs plus the two counters only an SC can have (a frame whose AN has no SA).
struct alignas(64) RxSaCounters {
  uint64_t in_pkts_ok = 0;          // InPktsOK
  uint64_t in_pkts_invalid = 0;     // InPktsInvalid: ICV failed, delivered (Check, C=0)
  uint64_t in_pkts_not_valid = 0;   // InPktsNotValid: ICV failed, discarded
  uint64_t in_pkts_late = 0;        // InPktsLate: PN below the lowest acceptable, discarded
  uint64_t in_pkts_delayed = 0;     // InPktsDelayed: PN below lowest, delivered (no replay protect)
  uint64_t in_pkts_unchecked = 0;   // InPktsUnchecked: delivered without (successful) validation
  uint64_t in_octets_validated = 0;
  uint64_t in_octets_decrypted = 0;
  uint64_t in_pkts_duplicate = 0;   // ours: PN already delivered inside the window, discarded (--replay-check strict)
  RxSaCounters& operator+=(const RxSaCounters& o);
};

struct alignas(64) RxScCounters {
  RxSaCounters sa_sum;              // the per-SA counters summed (filled by RxSc::counters())
  uint64_t in_pkts_not_using_sa = 0;  // InPktsNotUsingSA: AN has no SA, discarded
  uint64_t in_pkts_unused_sa = 0;     // InPktsUnusedSA: AN has no SA, delivered
  RxScCounters& operator+=(const RxScCounters& o);
};

struct alignas(64) TxSaCounters {
  uint64_t out_pkts_protected = 0;  // OutPktsProtected (integrity only)
  uint64_t out_pkts_encrypted = 0;  // OutPktsEncrypted
  uint64_t out_octets_protected = 0;
  uint64_t out_octets_encrypted = 0;
  uint64_t tx_pn_exhausted = 0;     // ours: frames refused because the PN space is used up
  uint64_t tx_pn_unreserved = 0;    // ours: frames refused because the PN reservation ran out
  TxSaCounters& operator+=(const TxSaCounters& o);
};
// The transmit SC has one SA in use at a time; its counters are the sum over its SAs.
using TxScCounters = TxSaCounters;

// Calls fn(standard_name, value) for each counter, in a stable order.
template <typename Fn>
void visit_counters(const SecyCounters& c, Fn&& fn);
template <typename Fn>
void visit_counters(const RxSaCounters& c, Fn&& fn);
template <typename Fn>
void visit_counters(const RxScCounters& c, Fn&& fn);
template <typename Fn>
void visit_counters(const TxSaCounters& c, Fn&& fn);

// ---- implementation of the visitors (header-only so any caller can print) ----

template <typename Fn>
void visit_counters(const SecyCounters& c, Fn&& fn) {
  fn(std::string_view("InPktsUntagged"), c.in_pkts_untagged);
  fn(std::string_view("InPktsNoTag"), c.in_pkts_no_tag);
  fn(std::string_view("InPktsBadTag"), c.in_pkts_bad_tag);
  fn(std::string_view("InPktsUnknownSCI"), c.in_pkts_unknown_sci);
  fn(std::string_view("InPktsNoSCI"), c.in_pkts_no_sci);
  fn(std::string_view("InPktsOverrun"), c.in_pkts_overrun);
  fn(std::string_view("InOctetsValidated"), c.in_octets_validated);
  fn(std::string_view("InOctetsDecrypted"), c.in_octets_decrypted);
  fn(std::string_view("OutPktsUntagged"), c.out_pkts_untagged);
  fn(std::string_view("OutPktsTooLong"), c.out_pkts_too_long);
  fn(std::string_view("OutOctetsProtected"), c.out_octets_protected);
  fn(std::string_view("OutOctetsEncrypted"), c.out_octets_encrypted);
  fn(std::string_view("TxNoSa"), c.tx_no_sa);
  fn(std::string_view("TxPnExhausted"), c.tx_pn_exhausted);
  fn(std::string_view("TxPnUnreserved"), c.tx_pn_unreserved);
  fn(std::string_view("TxTooShort"), c.tx_too_short);
  fn(std::string_view("TxClearTagMissing"), c.tx_clear_tag_missing);
}

template <typename Fn>
void visit_counters(const RxSaCounters& c, Fn&& fn) {
  fn(std::string_view("InPktsOK"), c.in_pkts_ok);
  fn(std::string_view("InPktsInvalid"), c.in_pkts_invalid);
  fn(std::string_view("InPktsNotValid"), c.in_pkts_not_valid);
  fn(std::string_view("InPktsLate"), c.in_pkts_late);
  fn(std::string_view("InPktsDelayed"), c.in_pkts_delayed);
  fn(std::string_view("InPktsUnchecked"), c.in_pkts_unchecked);
  fn(std::string_view("InOctetsValidated"), c.in_octets_validated);
  fn(std::string_view("InOctetsDecrypted"), c.in_octets_decrypted);
  fn(std::string_view("InPktsDuplicate"), c.in_pkts_duplicate);
}

template <typename Fn>
void visit_counters(const RxScCounters& c, Fn&& fn) {
  visit_counters(c.sa_sum, fn);
  fn(std::string_view("InPktsNotUsingSA"), c.in_pkts_not_using_sa);
  fn(std::string_view("InPktsUnusedSA"), c.in_pkts_unused_sa);
}

template <typename Fn>
void visit_counters(const TxSaCounters& c, Fn&& fn) {
  fn(std::string_view("OutPktsProtected"), c.out_pkts_protected);
  fn(std::string_view("OutPktsEncrypted"), c.out_pkts_encrypted);
  fn(std::string_view("OutOctetsProtected"), c.out_octets_protected);
  fn(std::string_view("OutOctetsEncrypted"), c.out_octets_encrypted);
  fn(std::string_view("TxPnExhausted"), c.tx_pn_exhausted);
  fn(std::string_view("TxPnUnreserved"), c.tx_pn_unreserved);
}

}  // namespace linkcrypt::secy
