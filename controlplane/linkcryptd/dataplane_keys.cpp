// DataplaneKeySink / DataplaneKxPort: IKE child keys into SaControl; kx frames through the rings.
#include "dataplane_keys.h"

#include <rte_ethdev.h>

#include <algorithm>

namespace linkcrypt::daemon {
namespace {

secy::XpnParams xpn_of(const ike::DirectionKeys& d) {
  secy::XpnParams x;
  x.ssci = d.ssci;
  const auto salt = d.salt.view();
  if (salt.size() == x.salt.size()) std::copy(salt.begin(), salt.end(), x.salt.begin());
  return x;
}

}  // namespace

secy::CipherSuite to_cipher_suite(ike::MacsecSuite s) {
  switch (s) {
    case ike::MacsecSuite::GcmAes128: return secy::CipherSuite::GcmAes128;
    case ike::MacsecSuite::GcmAes256: return secy::CipherSuite::GcmAes256;
    case ike::MacsecSuite::GcmAesXpn128: return secy::CipherSuite::GcmAesXpn128;
    case ike::MacsecSuite::GcmAesXpn256: return secy::CipherSuite::GcmAesXpn256;
  }
  return secy::CipherSuite::GcmAesXpn256;
}

uint64_t total_drops(const dpdk::DataplaneCounters& c) {
  const auto& s = c.secy;
  uint64_t d = s.in_pkts_no_tag + s.in_pkts_bad_tag + s.in_pkts_no_sci + s.in_pkts_overrun +
               s.out_pkts_too_long + s.tx_no_sa + s.tx_pn_exhausted + s.tx_too_short;
  const auto& w = c.worker;
  d += w.plain_tx_full + w.wire_tx_full + w.no_room + w.multi_segment + w.kx_punt_full + w.kx_send_full;
  d += dpdk::port_drops(c.plain_port) + dpdk::port_drops(c.wire_port);  // lost before/after the workers
  d += w.wire_down_drops;
  for (const auto& sc : c.sa.rx_sc) {
    d += sc.counters.in_pkts_not_using_sa + sc.counters.sa_sum.in_pkts_not_valid +
         sc.counters.sa_sum.in_pkts_late;
  }
  return d;
}

void DataplaneKeySink::install_rx(const ike::ChildKeysReady& k) {
  secy::RxSaParams p;
  p.suite = to_cipher_suite(k.suite);
  p.an = k.inbound.an;
  p.lowest_pn = 1;
  p.xpn = xpn_of(k.inbound);
  dp_.sa().install_rx_sa(k.inbound.sci, p, k.inbound.key.view());
}

void DataplaneKeySink::install_tx(const ike::ChildKeysReady& k) {
  secy::TxSaParams p;
  p.suite = to_cipher_suite(k.suite);
  p.an = k.outbound.an;
  p.sci = k.outbound.sci;
  p.next_pn = 1;  // fresh SAK from this exchange: a (key, PN) pair is never reused
  p.rekey_threshold = rekey_pn_threshold_;
  p.xpn = xpn_of(k.outbound);
  dp_.sa().install_tx_sa(p, k.outbound.key.view(), /*activate=*/false);
}

uint64_t DataplaneKeySink::rx_ok(uint64_t sci, uint8_t an) const {
  for (const auto& r : dp_.sa().report().rx_sa) {
    if (r.sci == sci && r.an == an) return r.counters.in_pkts_ok;
  }
  return 0;
}

uint64_t DataplaneKeySink::tx_octets(uint8_t an) const {
  for (const auto& t : dp_.sa().report().tx) {
    if (t.an == an) return t.counters.out_octets_protected + t.counters.out_octets_encrypted;
  }
  return 0;
}

DataplaneKxPort::DataplaneKxPort(dpdk::Dataplane& dp) : dp_(dp) {
  rte_ether_addr a{};
  if (rte_eth_macaddr_get(dp.wire_port().id(), &a) == 0) std::copy_n(a.addr_bytes, 6, mac_.begin());
}

}  // namespace linkcrypt::daemon
