// How `linkcryptctl stats` groups the daemon's named counters: operator sections in the order an
// operator follows a frame, and the developer counters (cycles, loop counts) apart.
#pragma once

#include <string_view>
#include <vector>

namespace linkcrypt::ctl {

// Which map of api::StatsResult a counter comes from.
enum class CounterSource { kSecy, kTxSc, kDataplane };

struct CounterRef {
  CounterSource source;
  std::string_view name;
};

struct CounterGroup {
  std::string_view title;
  std::vector<CounterRef> counters;
};

// The operator's sections from the SecY, transmit SC and dataplane maps, in print order.
// (Receive SCs, ports, IKE and the control socket have their own shapes: render_stats.cpp.)
[[nodiscard]] const std::vector<CounterGroup>& operator_counter_groups();
// Counters that measure the implementation rather than the link (shown with --all only).
[[nodiscard]] const std::vector<CounterRef>& developer_counters();
// Receive SC counters in print order (802.1AE 10.7.9 order, octets last).
[[nodiscard]] const std::vector<std::string_view>& rx_sc_counter_order();

}  // namespace linkcrypt::ctl
