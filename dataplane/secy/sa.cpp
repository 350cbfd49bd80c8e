// TxSa PN reservation (never wraps, 10.5.2), RxSa replay state (10.6.2, 10.6.5), SC tables.
#include "sa.h"

#include <stdexcept>

namespace linkcrypt::secy {

TxSa::TxSa(const TxSaParams& p, std::span<const uint8_t> sak)
    : next_pn_(p.next_pn),
      pn_limit_(p.reserved_through && p.reserved_through < max_pn(p.suite) ? p.reserved_through : max_pn(p.suite)),
      rekey_threshold_(p.rekey_threshold ? p.rekey_threshold : default_rekey_threshold(p.suite)),
      sci_(p.sci),
      xpn_(p.xpn),
      suite_(p.suite),
      an_(p.an),
      key_(p.suite, sak) {
  if (p.an > 3) throw std::invalid_argument("AN must be 0..3");
  if (p.next_pn == 0 || p.next_pn > max_pn(p.suite)) {
    throw std::invalid_argument("next PN must be in 1..max PN of the suite");
  }
}

uint32_t TxSa::reserve_pns(uint32_t n, uint64_t& first) {
  // pn_limit_ <= max_pn(suite_) always, so the reservation is the only bound needed.
  const uint64_t max = pn_limit_.load(std::memory_order_relaxed);
  uint64_t cur = next_pn_.load(std::memory_order_relaxed);
  for (;;) {
    // next_pn_ == 0 only after an XPN SA used PN 2^64-1; > max only for 32-bit PN suites.
    if (cur == 0 || cur > max) return 0;
    const uint64_t left = max - cur + 1;  // >= 1, cannot overflow since cur >= 1
    const uint32_t grant = left < n ? static_cast<uint32_t>(left) : n;
    if (next_pn_.compare_exchange_weak(cur, cur + grant, std::memory_order_relaxed)) {
      first = cur;
      return grant;
    }
  }
}

void TxSa::extend_reservation(uint64_t through) {
  const uint64_t cap = max_pn(suite_);
  if (through > cap) through = cap;
  // One writer (the main lcore): a plain load-compare-store keeps the limit monotonic.
  if (through > pn_limit_.load(std::memory_order_relaxed)) pn_limit_.store(through, std::memory_order_release);
}

TxSaCounters TxSa::counters_sum() const {
  TxSaCounters s;
  for (const auto& c : counters_) s += c;
  return s;
}

RxSa::RxSa(const RxSaParams& p, std::span<const uint8_t> sak)
    : next_pn_(p.lowest_pn),
      kay_lowest_pn_(p.lowest_pn),
      xpn_(p.xpn),
      suite_(p.suite),
      an_(p.an),
      key_(p.suite, sak),
      replay_bitmap_(p.lowest_pn) {
  if (p.an > 3) throw std::invalid_argument("AN must be 0..3");
  if (p.lowest_pn == 0 || p.lowest_pn > max_pn(p.suite)) {
    throw std::invalid_argument("lowest PN must be in 1..max PN of the suite");
  }
}

void RxSa::set_lowest_pn(uint64_t pn) {
  uint64_t cur = kay_lowest_pn_.load(std::memory_order_relaxed);
  while (pn > cur && !kay_lowest_pn_.compare_exchange_weak(cur, pn, std::memory_order_relaxed)) {
  }
  raise_next_pn(pn);  // nextPN is never below lowestPN
}

RxSaCounters RxSa::counters_sum() const {
  RxSaCounters s;
  for (const auto& c : counters_) s += c;
  return s;
}

RxSa& RxSc::install_sa(std::shared_ptr<RxSa> sa) {
  if (!sa) throw std::invalid_argument("null RxSa");
  auto& slot = sas_[sa->an() & 3];
  slot = std::move(sa);
  return *slot;
}

RxScCounters RxSc::counters_sum() const {
  RxScCounters s;
  for (const auto& c : counters_) s += c;
  for (const auto& sa : sas_) {
    if (sa) s.sa_sum += sa->counters_sum();
  }
  return s;
}

RxSc& RxTable::add_sc(Sci sci) {
  if (find(sci)) throw std::invalid_argument("duplicate SCI");
  if (count_ == kMaxSc) throw std::length_error("too many receive SCs");
  scis_[count_] = sci;
  scs_[count_] = std::make_unique<RxSc>(sci);
  return *scs_[count_++];
}

}  // namespace linkcrypt::secy
