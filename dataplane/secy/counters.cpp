// Summing per-lcore counter blocks.
#include "counters.h"

namespace linkcrypt::secy {

SecyCounters& SecyCounters::operator+=(const SecyCounters& o) {
  in_pkts_untagged += o.in_pkts_untagged;
  in_pkts_no_tag += o.in_pkts_no_tag;
  in_pkts_bad_tag += o.in_pkts_bad_tag;
  in_pkts_unknown_sci += o.in_pkts_unknown_sci;
  in_pkts_no_sci += o.in_pkts_no_sci;
  in_pkts_overrun += o.in_pkts_overrun;
  in_octets_validated += o.in_octets_validated;
  in_octets_decrypted += o.in_octets_decrypted;
  out_pkts_untagged += o.out_pkts_untagged;
  out_pkts_too_long += o.out_pkts_too_long;
  out_octets_protected += o.out_octets_protected;
  out_octets_encrypted += o.out_octets_encrypted;
  tx_no_sa += o.tx_no_sa;
  tx_pn_exhausted += o.tx_pn_exhausted;
  tx_pn_unreserved += o.tx_pn_unreserved;
  tx_too_short += o.tx_too_short;
  tx_clear_tag_missing += o.tx_clear_tag_missing;
  for (size_t i = 0; i < std::size(in_bad_tag_by_reason); ++i) {
    in_bad_tag_by_reason[i] += o.in_bad_tag_by_reason[i];
  }
  return *this;
}

RxSaCounters& RxSaCounters::operator+=(const RxSaCounters& o) {
  in_pkts_ok += o.in_pkts_ok;
  in_pkts_invalid += o.in_pkts_invalid;
  in_pkts_not_valid += o.in_pkts_not_valid;
  in_pkts_late += o.in_pkts_late;
  in_pkts_delayed += o.in_pkts_delayed;
  in_pkts_unchecked += o.in_pkts_unchecked;
  in_octets_validated += o.in_octets_validated;
  in_octets_decrypted += o.in_octets_decrypted;
  in_pkts_duplicate += o.in_pkts_duplicate;
  return *this;
}

RxScCounters& RxScCounters::operator+=(const RxScCounters& o) {
  sa_sum += o.sa_sum;
  in_pkts_not_using_sa += o.in_pkts_not_using_sa;
  in_pkts_unused_sa += o.in_pkts_unused_sa;
  return *this;
}

TxSaCounters& TxSaCounters::operator+=(const TxSaCounters& o) {
  out_pkts_protected += o.out_pkts_protected;
  out_pkts_encrypted += o.out_pkts_encrypted;
  out_octets_protected += o.out_octets_protected;
  out_octets_encrypted += o.out_octets_encrypted;
  tx_pn_exhausted += o.tx_pn_exhausted;
  tx_pn_unreserved += o.tx_pn_unreserved;
  return *this;
}

}  // namespace linkcrypt::secy
