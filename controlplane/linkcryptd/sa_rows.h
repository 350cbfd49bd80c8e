// One `sa` row per SA: the SecY's own report (suite, SCI, PNs, headroom, counters) with the
// keying controller's entry (key id, age, retiring) and the sampled PN rate.
#pragma once

#include <chrono>

#include "keying_controller.h"
#include "api/sa.h"
#include "sa_control.h"

namespace linkcrypt::daemon {

// entry is null with manual keys (or when the controller does not know the SA);
// pn_rate is PNs per second (0: unknown yet).
[[nodiscard]] api::SaRow tx_sa_row(const dpdk::TxSaReport& t, const keying::SaEntry* entry, double pn_rate,
                                   std::chrono::steady_clock::time_point now);
[[nodiscard]] api::SaRow rx_sa_row(const dpdk::RxSaReport& r, const keying::SaEntry* entry, double pn_rate,
                                   std::chrono::steady_clock::time_point now);

}  // namespace linkcrypt::daemon
