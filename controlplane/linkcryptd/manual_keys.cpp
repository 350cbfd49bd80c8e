// install_manual_keys: KeyFile entries → TxSa/RxSa parameters → SaControl.
#include "manual_keys.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "daemon_log.h"

namespace linkcrypt::daemon {
namespace {

std::string hex16(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

secy::XpnParams xpn_of(const config::SaKeyEntry& e) {
  secy::XpnParams x;
  x.ssci = e.ssci;
  if (e.salt.size() == x.salt.size()) std::copy(e.salt.view().begin(), e.salt.view().end(), x.salt.begin());
  return x;
}

}  // namespace

void install_manual_keys(dpdk::SaControl& sa, const config::KeyFile& keys, uint64_t tx_first_pn,
                         uint64_t tx_reserved_through) {
  const std::string_view suite = secy::cipher_suite_name(keys.suite);
  for (const auto& e : keys.rx) {
    secy::RxSaParams p;
    p.suite = keys.suite;
    p.an = e.an;
    p.lowest_pn = e.pn;
    p.xpn = xpn_of(e);
    sa.install_rx_sa(e.sci, p, e.sak.view());
    char line[160];
    std::snprintf(line, sizeof line, "installed receive SA sci=%016" PRIx64 " an=%u suite=%.*s lowest-pn=%" PRIu64,
                  e.sci, e.an, static_cast<int>(suite.size()), suite.data(), e.pn);
    log(LogLevel::Info, line, {{"SCI", hex16(e.sci)}, {"AN", std::to_string(e.an)}, {"DIR", "rx"}});
  }
  secy::TxSaParams p;
  p.suite = keys.suite;
  p.an = keys.tx.an;
  p.sci = keys.tx.sci;
  p.next_pn = tx_first_pn ? tx_first_pn : keys.tx.pn;
  p.reserved_through = tx_reserved_through;
  p.xpn = xpn_of(keys.tx);
  sa.install_tx_sa(p, keys.tx.sak.view(), /*activate=*/true);
  char line[160];
  std::snprintf(line, sizeof line, "installed transmit SA sci=%016" PRIx64 " an=%u suite=%.*s next-pn=%" PRIu64 " (active)",
                keys.tx.sci, keys.tx.an, static_cast<int>(suite.size()), suite.data(), p.next_pn);
  log(LogLevel::Info, line, {{"SCI", hex16(keys.tx.sci)}, {"AN", std::to_string(keys.tx.an)}, {"DIR", "tx"}});
}

}  // namespace linkcrypt::daemon
