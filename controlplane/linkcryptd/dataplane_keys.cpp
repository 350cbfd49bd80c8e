// DataplaneKeySink / DataplaneKxPort: IKE child keys into SaControl; kx frames through the rings.
#include "dataplane_keys.h"

#include <rte_ethdev.h>

#include <algorithm>

#include "suite_mapping.h"

namespace linkcrypt::daemon {
namespace {

secy::XpnParams xpn_of(const ike::DirectionKeys& d) {
  secy::XpnParams x;
  x.ssci = d.ssci;
  const auto salt = d.salt.view();
  if (salt.size() == x.salt.size()) std::copy(salt.begin(), salt.end(), x.salt.begin());
  return x;
}

// --keylog: the line of an SA just installed (after the install, so a refused SA has none).
void log_key(Keylog* keylog, const char* dir, const ike::ChildKeysReady& k, const ike::DirectionKeys& d) {
  if (keylog == nullptr) return;
  KeylogRecord r;
  r.direction = dir;
  r.sci = d.sci;
  r.an = d.an;
  r.key_id = k.key_id;
  r.suite = config::to_cipher_suite(k.suite);
  r.sak = d.key.view();
  r.ssci = d.ssci;
  r.salt = d.salt.view();
  keylog->append(r);
}

}  // namespace

void DataplaneKeySink::install_rx(const ike::ChildKeysReady& k) {
  secy::RxSaParams p;
  p.suite = config::to_cipher_suite(k.suite);
  p.an = k.inbound.an;
  p.lowest_pn = 1;
  p.xpn = xpn_of(k.inbound);
  dp_.sa().install_rx_sa(k.inbound.sci, p, k.inbound.key.view());
  log_key(keylog_, "rx", k, k.inbound);
}

void DataplaneKeySink::install_tx(const ike::ChildKeysReady& k) {
  secy::TxSaParams p;
  p.suite = config::to_cipher_suite(k.suite);
  p.an = k.outbound.an;
  p.sci = k.outbound.sci;
  p.next_pn = 1;  // fresh SAK from this exchange: a (key, PN) pair is never reused
  p.rekey_threshold = rekey_pn_threshold_;
  p.xpn = xpn_of(k.outbound);
  dp_.sa().install_tx_sa(p, k.outbound.key.view(), /*activate=*/false);
  log_key(keylog_, "tx", k, k.outbound);
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
