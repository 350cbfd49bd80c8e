// The keychain's participants and the rules of cak_chain.h: which CA runs, which one transmits, when an older one goes.
#include "cak_chain.h"

#include <algorithm>

namespace linkcrypt::mka {
namespace {

ParticipantConfig config_for(const ParticipantConfig& base, const ChainKey& key) {
  ParticipantConfig c = settings_of(base);
  c.ckn = key.ckn;
  c.cak = key.cak.clone();
  return c;
}

bool has_live_peer(const ParticipantStatus& s, const std::array<uint8_t, 8>& sci) {
  return std::any_of(s.peers.begin(), s.peers.end(), [&](const PeerView& v) { return v.live && v.sci == sci; });
}

}  // namespace

std::optional<CakChain> CakChain::create(ChainConfig cfg) {
  size_t primaries = 0, fallbacks = 0;
  for (size_t i = 0; i < cfg.keys.size(); ++i) {
    const auto& k = cfg.keys[i];
    if (k.start >= k.end) return std::nullopt;
    for (size_t j = 0; j < i; ++j)
      if (cfg.keys[j].ckn == k.ckn) return std::nullopt;
    // The participant's own checks (CKN and CAK lengths, suite, timers).
    if (!Participant::create(config_for(cfg.base, k))) return std::nullopt;
    (k.fallback ? fallbacks : primaries)++;
  }
  if (primaries == 0 || fallbacks > 1) return std::nullopt;
  return CakChain(std::move(cfg));
}

bool CakChain::usable(size_t key, TimePoint now) const {
  const auto& k = keys_[key];
  return k.fallback || (k.start <= now && now < k.end);
}

CakChain::Slot* CakChain::slot_of(size_t key) {
  for (auto& s : slots_)
    if (s.key == key) return &s;
  return nullptr;
}

bool CakChain::preferred(size_t a, size_t b) const {
  if (keys_[a].fallback != keys_[b].fallback) return keys_[b].fallback;
  if (keys_[a].start != keys_[b].start) return keys_[a].start > keys_[b].start;
  return a > b;
}

template <typename F>
void CakChain::call(Slot& s, TimePoint /*now*/, std::vector<Event>& out, F&& f) {
  uint8_t busy = 0;
  for (const auto& other : slots_)
    if (&other != &s) busy |= other.p.ans_in_use();
  s.p.set_busy_ans(busy);
  std::vector<Event> ev;
  f(s.p, ev);
  filter(s.key, ev, out);
}

void CakChain::filter(size_t key, std::vector<Event>& in, std::vector<Event>& out) {
  auto live_elsewhere = [&](const std::array<uint8_t, 8>& sci) {
    return std::any_of(slots_.begin(), slots_.end(),
                       [&](const Slot& s) { return s.key != key && has_live_peer(s.p.status(), sci); });
  };
  for (auto& e : in) {
    if (std::holds_alternative<InstallTxSak>(e)) {
      // Transmit moves only to a CA at least as preferred as the one that has it.
      if (tx_key_ && *tx_key_ != key && !preferred(key, *tx_key_)) continue;
      tx_key_ = key;
    } else if (const auto* l = std::get_if<PeerLive>(&e)) {
      if (live_elsewhere(l->sci)) continue;  // the dataplane already has this peer's SC
    } else if (const auto* l = std::get_if<PeerLost>(&e)) {
      if (live_elsewhere(l->sci)) continue;  // still live in another CA
    } else if (const auto* f = std::get_if<Failure>(&e)) {
      if (!keys_[key].fallback && (f->reason == MkaFailure::CakMismatch || f->reason == MkaFailure::CknMismatch))
        primary_mismatch_ = true;
    }
    out.push_back(std::move(e));
  }
  in.clear();
}

void CakChain::launch(size_t key, TimePoint now, std::vector<Event>& out) {
  if (slot_of(key) != nullptr) return;
  auto p = Participant::create(config_for(base_, keys_[key]));
  if (!p) return;
  if (keys_[key].fallback) ++counters_.fallback_activations;
  slots_.push_back(Slot{key, std::move(*p)});
  call(slots_.back(), now, out, [&](Participant& q, std::vector<Event>& ev) { q.start(now, ev); });
}

void CakChain::retire(size_t key, std::vector<Event>& out) {
  auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.key == key; });
  if (it == slots_.end()) return;
  std::vector<Event> ev;
  it->p.stop(ev);
  for (auto& e : ev) out.push_back(std::move(e));
  slots_.erase(it);
  if (tx_key_ == key) tx_key_.reset();
}

void CakChain::start(TimePoint now, std::vector<Event>& out) {
  no_tx_since_ = now;
  housekeep(now, out);
}

void CakChain::housekeep(TimePoint now, std::vector<Event>& out) {
  last_now_ = now;
  // Lifetimes: an ended primary goes (fail closed if it was the only one); a started one runs.
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (keys_[k].fallback) continue;
    if (!usable(k, now)) {
      retire(k, out);
      superseded_.erase(k);
    } else if (slot_of(k) == nullptr && superseded_.count(k) == 0) {
      launch(k, now, out);
    }
  }
  // Transmit lost (its CA's peer went, or the CA was retired): hand it to the best CA that has a SAK.
  if (tx_key_) {
    Slot* owner = slot_of(*tx_key_);
    if (owner == nullptr || !owner->p.current_tx()) tx_key_.reset();
  }
  if (!tx_key_) {
    Slot* best = nullptr;
    for (auto& s : slots_)
      if (s.p.current_tx() && (best == nullptr || preferred(s.key, best->key))) best = &s;
    if (best != nullptr) {
      tx_key_ = best->key;
      out.push_back(*best->p.current_tx());
    } else if (no_tx_since_ == TimePoint::max()) {
      no_tx_since_ = now;
      superseded_.clear();  // nothing is secured: every usable CA may try again
    }
  }
  if (tx_key_) no_tx_since_ = TimePoint::max();
  // The fallback CA: when no primary comes up.
  const auto fb = std::find_if(keys_.begin(), keys_.end(), [](const ChainKey& k) { return k.fallback; });
  if (fb != keys_.end() && !tx_key_) {
    const size_t fk = static_cast<size_t>(fb - keys_.begin());
    const bool waited = no_tx_since_ != TimePoint::max() && now - no_tx_since_ >= base_.life_time;
    if (slot_of(fk) == nullptr && (primary_mismatch_ || waited)) launch(fk, now, out);
  }
  // Rollover done: every peer of the transmitting CA receives and transmits with its SAK, so
  // nobody sends with a less preferred CA's SAK any more; those CAs go.
  if (tx_key_) {
    Slot* owner = slot_of(*tx_key_);
    if (owner != nullptr && owner->p.latest_in_use_by_all()) {
      std::vector<size_t> older;
      for (const auto& s : slots_)
        if (s.key != *tx_key_ && preferred(*tx_key_, s.key)) older.push_back(s.key);
      for (size_t k : older) {
        if (!keys_[k].fallback) ++counters_.rollovers;
        superseded_.insert(k);
        retire(k, out);
      }
      if (!keys_[*tx_key_].fallback) primary_mismatch_ = false;
    }
  }
}

void CakChain::receive(std::span<const uint8_t> frame, TimePoint now, std::vector<Event>& out) {
  DecodedMkpdu d;
  Slot* target = nullptr;
  if (decode_mkpdu(frame, d) == MkpduError::None) {
    const auto k = std::find_if(keys_.begin(), keys_.end(), [&](const ChainKey& c) { return c.ckn == d.pdu.basic.ckn; });
    if (k != keys_.end()) {
      const size_t key = static_cast<size_t>(k - keys_.begin());
      // A peer speaking the fallback's CKN: its primary did not come up either.
      if (slot_of(key) == nullptr && k->fallback && !tx_key_) launch(key, now, out);
      target = slot_of(key);
      if (target == nullptr) {
        ++counters_.unrouted;  // a CA we have retired or not yet started: its peer will follow
        housekeep(now, out);
        return;
      }
    } else {
      ++counters_.unrouted;
    }
  }
  if (target == nullptr) {
    // Malformed or another CKN: the most preferred running CA counts and reports it.
    for (auto& s : slots_)
      if (target == nullptr || preferred(s.key, target->key)) target = &s;
  }
  if (target != nullptr)
    call(*target, now, out, [&](Participant& p, std::vector<Event>& ev) { p.receive(frame, now, ev); });
  housekeep(now, out);
}

void CakChain::tick(TimePoint now, std::vector<Event>& out) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.p.next_deadline() <= now)
      call(s, now, out, [&](Participant& p, std::vector<Event>& ev) { p.tick(now, ev); });
  }
  housekeep(now, out);
}

bool CakChain::rekey(TimePoint now, std::vector<Event>& out) {
  Slot* s = tx_key_ ? slot_of(*tx_key_) : nullptr;
  if (s == nullptr) return false;
  bool ok = false;
  call(*s, now, out, [&](Participant& p, std::vector<Event>& ev) { ok = p.rekey(now, ev); });
  housekeep(now, out);
  return ok;
}

void CakChain::set_lowest_pn(const KeyIdentifier& id, uint64_t lowest_pn, TimePoint now, std::vector<Event>& out) {
  for (size_t i = 0; i < slots_.size(); ++i)
    call(slots_[i], now, out, [&](Participant& p, std::vector<Event>& ev) { p.set_lowest_pn(id, lowest_pn, now, ev); });
  housekeep(now, out);
}

TimePoint CakChain::next_deadline() const {
  TimePoint t = TimePoint::max();
  for (const auto& s : slots_) t = std::min(t, s.p.next_deadline());
  for (const auto& k : keys_) {
    if (k.fallback) continue;
    if (k.start > last_now_) t = std::min(t, k.start);
    if (k.end > last_now_) t = std::min(t, k.end);
  }
  if (!tx_key_ && no_tx_since_ != TimePoint::max()) t = std::min(t, no_tx_since_ + base_.life_time);
  return t;
}

ChainStatus CakChain::status() const {
  ChainStatus st;
  if (tx_key_) st.active_ckn = keys_[*tx_key_].ckn;
  for (const auto& s : slots_)
    st.participants.push_back({keys_[s.key].ckn, keys_[s.key].fallback, tx_key_ == s.key, s.p.status()});
  st.counters = counters_;
  return st;
}

}  // namespace linkcrypt::mka
