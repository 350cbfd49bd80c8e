// SaRateSampler: differences of per-SA counters between two samples, over the time between them.
#include "sa_rates.h"

#include "sa_rows.h"

namespace linkcrypt::daemon {

void SaRateSampler::update(Sample& s, Clock::time_point now, uint64_t next_pn, uint64_t packets, uint64_t octets) {
  const double dt = std::chrono::duration<double>(now - s.at).count();
  if (s.at == Clock::time_point{} || next_pn < s.next_pn || packets < s.packets || octets < s.octets) {
    s.rates = {};  // first sample, or a new SA took this AN (its counters start over)
  } else if (dt > 0.05) {
    s.rates.pn_per_s = static_cast<double>(next_pn - s.next_pn) / dt;
    s.rates.pps = static_cast<double>(packets - s.packets) / dt;
    s.rates.bps = static_cast<double>(octets - s.octets) * 8.0 / dt;
  } else {
    return;  // too soon for a meaningful rate: keep the previous sample
  }
  s.at = now;
  s.next_pn = next_pn;
  s.packets = packets;
  s.octets = octets;
}

void SaRateSampler::sample(const dpdk::SaReport& report, Clock::time_point now) {
  for (const auto& t : report.tx) update(tx_[t.an], now, t.next_pn, sa_packets(t), sa_octets(t));
  for (const auto& r : report.rx_sa) update(rx_[{r.sci, r.an}], now, r.next_pn, sa_packets(r), sa_octets(r));
}

SaRates SaRateSampler::tx(uint8_t an) const {
  auto it = tx_.find(an);
  return it == tx_.end() ? SaRates{} : it->second.rates;
}

SaRates SaRateSampler::rx(uint64_t sci, uint8_t an) const {
  auto it = rx_.find({sci, an});
  return it == rx_.end() ? SaRates{} : it->second.rates;
}

}  // namespace linkcrypt::daemon
