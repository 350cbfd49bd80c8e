// SaControl: builds, publishes and reclaims SA snapshots; receive SAs are shared between them.
#include "sa_control.h"

#include <stdexcept>

namespace linkcrypt::dpdk {

SaControl::SaControl(RcuDomain& rcu, const secy::SecyConfig& cfg)
    : rcu_(rcu), published_(rcu, [&] {
        auto t = std::make_unique<SaTables>();
        t->cfg = cfg;
        return std::unique_ptr<const SaTables>(std::move(t));
      }()) {}

SaControl::~SaControl() = default;

std::unique_ptr<SaTables> SaControl::copy_current(Carry& carry, const RxKey* skip) {
  const SaTables& cur = *published_.load();
  auto next = std::make_unique<SaTables>();
  next->cfg = cur.cfg;
  next->tx_sas = cur.tx_sas;
  next->tx_active = cur.tx_active;
  for (uint32_t i = 0; i < cur.rx->size(); ++i) {
    const secy::RxSc& sc = cur.rx->at(i);
    secy::RxSc* new_sc = nullptr;
    for (uint8_t an = 0; an < 4; ++an) {
      const secy::RxSa* old = sc.sa(an);
      if (old == nullptr) continue;
      if (skip != nullptr && skip->first == sc.sci() && skip->second == an) {
        carry.dropped.emplace_back(sc.sci(), old);
        continue;
      }
      if (new_sc == nullptr) new_sc = &next->rx->add_sc(sc.sci());
      // The same object, shared: nextPN (10.6.5) and counters continue without a copy, so a
      // frame accepted on the old table can never be replayed on the new one.
      new_sc->install_sa(sc.shared_sa(an));
    }
  }
  return next;
}

void SaControl::publish_with(std::unique_ptr<SaTables> next, Carry& carry) {
  const SaTables* old = published_.load();
  published_.publish(std::move(next));
  // One worker loop iteration; afterwards no worker holds `old` (rte_rcu_qsbr).
  rcu_.wait_grace_period();
  // Receive SCs are rebuilt per table: carry their SC-only counters; a dropped SA's counters
  // go into its SC's totals before the old table (the SA's last owner) is freed.
  for (uint32_t i = 0; i < old->rx->size(); ++i) {
    const secy::RxSc& sc = old->rx->at(i);
    const secy::RxScCounters live = sc.counters_sum();
    ScRecord& rec = sc_records_[sc.sci()];
    rec.carried.in_pkts_not_using_sa += live.in_pkts_not_using_sa;
    rec.carried.in_pkts_unused_sa += live.in_pkts_unused_sa;
  }
  for (auto& [sci, sa] : carry.dropped) sc_records_[sci].carried.sa_sum += sa->counters_sum();
  for (auto& sa : carry.tx_dropped) tx_retired_ += sa->counters_sum();
  published_.reclaim_all();
}

void SaControl::install_tx_sa(const secy::TxSaParams& p, std::span<const uint8_t> sak, bool activate) {
  if (p.an > 3) throw std::invalid_argument("AN must be 0..3");
  auto sa = std::make_shared<secy::TxSa>(p, sak);
  Carry carry;
  auto next = copy_current(carry, nullptr);
  if (next->tx_sas[p.an]) carry.tx_dropped.push_back(next->tx_sas[p.an]);
  const bool was_active = next->tx_active == next->tx_sas[p.an].get() && next->tx_active != nullptr;
  next->tx_sas[p.an] = std::move(sa);
  if (activate || was_active) next->tx_active = next->tx_sas[p.an].get();
  publish_with(std::move(next), carry);
}

bool SaControl::switch_tx_an(uint8_t an) {
  if (an > 3 || !published_.load()->tx_sas[an]) return false;
  Carry carry;
  auto next = copy_current(carry, nullptr);
  next->tx_active = next->tx_sas[an].get();
  publish_with(std::move(next), carry);
  return true;
}

void SaControl::retire_tx_sa(uint8_t an) {
  if (an > 3 || !published_.load()->tx_sas[an]) return;
  Carry carry;
  auto next = copy_current(carry, nullptr);
  carry.tx_dropped.push_back(next->tx_sas[an]);
  if (next->tx_active == next->tx_sas[an].get()) next->tx_active = nullptr;  // must-secure
  next->tx_sas[an].reset();
  publish_with(std::move(next), carry);
}

void SaControl::install_rx_sa(secy::Sci sci, const secy::RxSaParams& p, std::span<const uint8_t> sak) {
  if (p.an > 3) throw std::invalid_argument("AN must be 0..3");
  auto sa = std::make_unique<secy::RxSa>(p, sak);  // throws before anything changes
  const RxKey key{sci, p.an};
  Carry carry;
  auto next = copy_current(carry, &key);  // a replaced SA starts with a fresh replay state
  secy::RxSc* sc = next->rx->find(sci);
  if (sc == nullptr) sc = &next->rx->add_sc(sci);
  sc->install_sa(std::move(sa));
  // The previous SA under this key (if any) is counted into the SC's totals at publication.
  rx_records_[key] = RxRecord{p.lowest_pn};
  publish_with(std::move(next), carry);
}

void SaControl::retire_rx_sa(secy::Sci sci, uint8_t an) {
  const RxKey key{sci, an};
  auto it = rx_records_.find(key);
  if (it == rx_records_.end()) return;
  Carry carry;
  auto next = copy_current(carry, &key);
  rx_records_.erase(it);
  publish_with(std::move(next), carry);
}

void SaControl::set_config(const secy::SecyConfig& cfg) {
  Carry carry;
  auto next = copy_current(carry, nullptr);
  next->cfg = cfg;
  publish_with(std::move(next), carry);
}

bool SaControl::tx_threshold_reached() const {
  const SaTables* t = published_.load();
  return t->tx_active != nullptr && t->tx_active->threshold_reached();
}

bool SaControl::tx_exhausted() const {
  const SaTables* t = published_.load();
  return t->tx_active != nullptr && t->tx_active->exhausted();
}

SaReport SaControl::report() const {
  const SaTables& cur = *published_.load();
  SaReport r;
  r.tx_sc = tx_retired_;
  for (uint8_t an = 0; an < 4; ++an) {
    const auto& sa = cur.tx_sas[an];
    if (!sa) continue;
    TxSaReport t{an, sa->sci(), sa->suite(), sa.get() == cur.tx_active, sa->next_pn(),
                 sa->threshold_reached(), sa->exhausted(), sa->counters_sum()};
    r.tx_sc += t.counters;
    r.tx.push_back(t);
  }
  std::map<secy::Sci, secy::RxScCounters> scs;
  for (const auto& [sci, rec] : sc_records_) scs[sci] += rec.carried;
  for (uint32_t i = 0; i < cur.rx->size(); ++i) {
    const secy::RxSc& sc = cur.rx->at(i);
    secy::RxScCounters live = sc.counters_sum();  // SC-only counters + live SA sums
    for (uint8_t an = 0; an < 4; ++an) {
      const secy::RxSa* sa = sc.sa(an);
      if (sa == nullptr) continue;
      r.rx_sa.push_back(RxSaReport{sc.sci(), an, sa->suite(), sa->next_pn(),
                                   sa->lowest_pn(cur.cfg.replay_window), sa->counters_sum()});
    }
    scs[sc.sci()] += live;
  }
  for (const auto& [sci, c] : scs) r.rx_sc.push_back({sci, c});
  return r;
}

}  // namespace linkcrypt::dpdk
