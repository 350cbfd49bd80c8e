// One `sa` row per SA: the SecY's own report (suite, SCI, PNs, headroom, counters) with the
// keying controller's entry (key id, age, retiring) and the sampled PN rate.
#pragma once

#include <chrono>

#include "keying_controller.h"
#include "api/sa.h"
#include "sa_control.h"
#include "sa_rates.h"

namespace linkcrypt::daemon {

// entry is null with manual keys (or when the controller does not know the SA); rates are the
// sampler's (all unknown before its second sample).
[[nodiscard]] api::SaRow tx_sa_row(const dpdk::TxSaReport& t, const keying::SaEntry* entry, const SaRates& rates,
                                   std::chrono::steady_clock::time_point now);
[[nodiscard]] api::SaRow rx_sa_row(const dpdk::RxSaReport& r, const keying::SaEntry* entry, const SaRates& rates,
                                   std::chrono::steady_clock::time_point now);

// The `packets` and `octets` of a row: what the SA protected, or received (delivered or not).
[[nodiscard]] uint64_t sa_packets(const dpdk::TxSaReport& t);
[[nodiscard]] uint64_t sa_octets(const dpdk::TxSaReport& t);
[[nodiscard]] uint64_t sa_packets(const dpdk::RxSaReport& r);
[[nodiscard]] uint64_t sa_octets(const dpdk::RxSaReport& r);

}  // namespace linkcrypt::daemon
