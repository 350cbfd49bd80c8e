// total_drops: every drop counter counts once, and no delivered/sent/context counter counts.
#include "dataplane_counters.h"

#include <gtest/gtest.h>

namespace linkcrypt::dpdk {
namespace {

// Each drop counter gets its own bit, so the sum shows which were counted and which were not.
class DropBits {
 public:
  uint64_t next() {
    expected_ |= uint64_t{1} << bit_;
    return uint64_t{1} << bit_++;
  }
  [[nodiscard]] uint64_t expected() const { return expected_; }

 private:
  unsigned bit_ = 0;
  uint64_t expected_ = 0;
};

constexpr uint64_t kNotADrop = uint64_t{1} << 40;  // above every drop bit: visible if summed

secy::RxScCounters rx_sc(DropBits& bits) {
  secy::RxScCounters sc;
  sc.in_pkts_not_using_sa = bits.next();
  sc.sa_sum.in_pkts_not_valid = bits.next();
  sc.sa_sum.in_pkts_late = bits.next();
  // Delivered frames (Check / no replay protection / not Strict) are not drops.
  sc.in_pkts_unused_sa = kNotADrop;
  sc.sa_sum.in_pkts_ok = kNotADrop;
  sc.sa_sum.in_pkts_invalid = kNotADrop;
  sc.sa_sum.in_pkts_delayed = kNotADrop;
  sc.sa_sum.in_pkts_unchecked = kNotADrop;
  return sc;
}

TEST(TotalDrops, ZeroCountersSumToZero) { EXPECT_EQ(total_drops(DataplaneCounters{}), 0u); }

TEST(TotalDrops, SumsEveryDropCounterAndNothingElse) {
  DropBits bits;
  DataplaneCounters c;
  c.secy.in_pkts_no_tag = bits.next();
  c.secy.in_pkts_bad_tag = bits.next();
  c.secy.in_pkts_no_sci = bits.next();
  c.secy.in_pkts_overrun = bits.next();
  c.secy.out_pkts_too_long = bits.next();
  c.secy.tx_no_sa = bits.next();
  c.secy.tx_pn_exhausted = bits.next();
  c.secy.tx_pn_unreserved = bits.next();
  c.secy.tx_too_short = bits.next();
  c.worker.plain_tx_full = bits.next();
  c.worker.wire_tx_full = bits.next();
  c.worker.no_room = bits.next();
  c.worker.multi_segment = bits.next();
  c.worker.kx_punt_full = bits.next();
  c.worker.kx_send_full = bits.next();
  c.worker.kx_no_mbuf = bits.next();
  c.worker.eapol_punt_full = bits.next();
  c.worker.eapol_no_mbuf = bits.next();
  c.worker.plain_eapol_dropped = bits.next();
  c.worker.eapol_punted = kNotADrop;
  c.worker.wire_down_drops = bits.next();
  for (PortCounters* p : {&c.plain_port, &c.wire_port}) {
    p->rx_missed = bits.next();
    p->kx_rx_missed = bits.next();
    p->eapol_rx_missed = bits.next();
    p->kx_priority_rx_missed = bits.next();
    p->rx_errors = bits.next();
    p->rx_no_mbuf = bits.next();
    p->tx_errors = bits.next();
    p->rx_packets = kNotADrop;
    p->tx_packets = kNotADrop;
  }
  c.sa.rx_sc.push_back(RxScReport{1, rx_sc(bits)});
  c.sa.rx_sc.push_back(RxScReport{2, rx_sc(bits)});

  // Frames delivered or sent, and frames passed on unprotected by policy, are not drops.
  c.secy.in_pkts_untagged = kNotADrop;
  c.secy.in_pkts_unknown_sci = kNotADrop;
  c.worker.plain_rx = kNotADrop;
  c.worker.plain_tx = kNotADrop;
  c.worker.wire_rx = kNotADrop;
  c.worker.wire_tx = kNotADrop;
  c.worker.kx_punted = kNotADrop;
  c.worker.kx_sent = kNotADrop;
  c.sa.tx_sc.out_pkts_encrypted = kNotADrop;
  c.links.wire_link_down = kNotADrop;

  EXPECT_EQ(total_drops(c), bits.expected());
}

}  // namespace
}  // namespace linkcrypt::dpdk
