// SaTables: the immutable snapshot of SAs and SecY settings that worker lcores read each burst.
#pragma once

#include "sa.h"
#include "config.h"

#include <array>
#include <memory>

namespace linkcrypt::dpdk {

// Built by SaControl on the main lcore, published through Published<SaTables> and never changed
// afterwards, except for what the SecY itself updates atomically underneath (PNs, counters).
// Transmit SAs are shared (shared_ptr) between successive snapshots: their next-PN atomic is
// what guarantees a (key, PN) pair is never reused (802.1AE 10.5.2), so it must never be copied.
struct SaTables {
  secy::SecyConfig cfg;
  std::array<std::shared_ptr<secy::TxSa>, 4> tx_sas;  // by AN
  secy::TxSa* tx_active = nullptr;  // the SA in use (10.7.21 encodingSA); nullptr: must-secure drop
  std::unique_ptr<secy::RxTable> rx = std::make_unique<secy::RxTable>();
};

}  // namespace linkcrypt::dpdk
