// total_drops: the drop counters of DataplaneCounters, summed.
#include "dataplane_counters.h"

namespace linkcrypt::dpdk {

uint64_t total_drops(const DataplaneCounters& c) {
  const auto& s = c.secy;
  uint64_t d = s.in_pkts_no_tag + s.in_pkts_bad_tag + s.in_pkts_no_sci + s.in_pkts_overrun +
               s.out_pkts_too_long + s.tx_no_sa + s.tx_pn_exhausted + s.tx_pn_unreserved + s.tx_too_short +
               s.tx_clear_tag_missing;
  const auto& w = c.worker;
  d += w.plain_tx_full + w.wire_tx_full + w.no_room + w.multi_segment + w.kx_punt_full + w.kx_send_full + w.kx_no_mbuf;
  d += w.eapol_punt_full + w.eapol_no_mbuf + w.plain_eapol_dropped;
  d += port_drops(c.plain_port) + port_drops(c.wire_port);  // lost before/after the workers
  d += w.wire_down_drops;
  for (const auto& sc : c.sa.rx_sc) {
    d += sc.counters.in_pkts_not_using_sa + sc.counters.sa_sum.in_pkts_not_valid +
         sc.counters.sa_sum.in_pkts_late + sc.counters.sa_sum.in_pkts_duplicate;
  }
  return d;
}

}  // namespace linkcrypt::dpdk
