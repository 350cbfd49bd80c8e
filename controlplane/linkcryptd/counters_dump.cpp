// print_counters: 802.1AE counters by SecY/SC/SA, port and punt counters, TSC cycles per stage.
#include "counters_dump.h"

#include <rte_cycles.h>

#include <cinttypes>
#include <ctime>

namespace linkcrypt::daemon {

void print_counters(std::FILE* out, const dpdk::DataplaneCounters& c) {
  std::fprintf(out, "=== counters ===\n");
  // When the dump was taken and the TSC rate, so readers can turn two dumps into rates and
  // cycle counts into time.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  std::fprintf(out, "clock monotonic-ns %" PRIu64 "\n",
               static_cast<uint64_t>(now.tv_sec) * uint64_t{1000000000} + static_cast<uint64_t>(now.tv_nsec));
  std::fprintf(out, "clock tsc-hz %" PRIu64 "\n", rte_get_tsc_hz());
  auto line = [out](const char* scope) {
    return [out, scope](std::string_view name, uint64_t v) {
      std::fprintf(out, "%s %.*s %" PRIu64 "\n", scope, static_cast<int>(name.size()), name.data(), v);
    };
  };
  secy::visit_counters(c.secy, line("secy"));
  dpdk::visit_counters(c.worker, line("dataplane"));
  dpdk::visit_counters(c.plain_port, line("port-plain"));
  dpdk::visit_counters(c.wire_port, line("port-wire"));
  dpdk::visit_counters(c.links, line("link"));
  const double protect = c.worker.protect_frames ? double(c.worker.protect_cycles) / double(c.worker.protect_frames) : 0.0;
  const double validate = c.worker.validate_frames ? double(c.worker.validate_cycles) / double(c.worker.validate_frames) : 0.0;
  std::fprintf(out, "stage protect-cycles-per-frame %.1f\n", protect);
  std::fprintf(out, "stage validate-cycles-per-frame %.1f\n", validate);
  const auto best = [](uint64_t burst) { return burst == UINT64_MAX ? 0.0 : double(burst) / 32.0; };
  std::fprintf(out, "stage protect-best-burst-cycles-per-frame %.1f\n", best(c.worker.protect_min_burst_cycles));
  std::fprintf(out, "stage validate-best-burst-cycles-per-frame %.1f\n", best(c.worker.validate_min_burst_cycles));
  secy::visit_counters(c.sa.tx_sc, line("tx-sc"));
  for (const auto& t : c.sa.tx) {
    char scope[96];
    std::snprintf(scope, sizeof scope, "tx-sa an=%u active=%d next-pn=%" PRIu64 " threshold=%d exhausted=%d",
                  t.an, t.active ? 1 : 0, t.next_pn, t.threshold_reached ? 1 : 0, t.exhausted ? 1 : 0);
    secy::visit_counters(t.counters, line(scope));
  }
  for (const auto& s : c.sa.rx_sc) {
    char scope[64];
    std::snprintf(scope, sizeof scope, "rx-sc sci=%016" PRIx64, s.sci);
    secy::visit_counters(s.counters, line(scope));
  }
  for (const auto& s : c.sa.rx_sa) {
    char scope[96];
    std::snprintf(scope, sizeof scope, "rx-sa sci=%016" PRIx64 " an=%u next-pn=%" PRIu64, s.sci, s.an, s.next_pn);
    secy::visit_counters(s.counters, line(scope));
  }
  std::fprintf(out, "=== end counters ===\n");
  std::fflush(out);
}

}  // namespace linkcrypt::daemon
