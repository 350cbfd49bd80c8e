// SaSchedule: de-duplicates the keylog's SAs and orders each (SCI, AN)'s SAs by install time.
#include "sa_schedule.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <limits>

namespace linkcrypt::pcaptool {
namespace {

constexpr int64_t kBeforeAnything = std::numeric_limits<int64_t>::min();

int64_t installed(const KeylogSa& sa) { return sa.installed_ns.value_or(kBeforeAnything); }

bool same_key(const KeylogSa& a, const KeylogSa& b) {
  return a.sci == b.sci && a.an == b.an && a.suite == b.suite && a.sak.size() == b.sak.size() &&
         CRYPTO_memcmp(a.sak.view().data(), b.sak.view().data(), a.sak.size()) == 0 && a.xpn.ssci == b.xpn.ssci &&
         a.xpn.salt == b.xpn.salt;
}

}  // namespace

SaSchedule::SaSchedule(std::vector<KeylogSa> sas) {
  for (auto& sa : sas) {
    auto dup = std::find_if(sas_.begin(), sas_.end(), [&](const KeylogSa& k) { return same_key(k, sa); });
    if (dup != sas_.end()) {
      if (installed(sa) < installed(*dup)) dup->installed_ns = sa.installed_ns;
      if (!dup->key_id) dup->key_id = sa.key_id;
      continue;
    }
    if (std::find(scis_.begin(), scis_.end(), sa.sci) == scis_.end()) scis_.push_back(sa.sci);
    sas_.push_back(std::move(sa));
  }
  for (size_t i = 0; i < sas_.size(); ++i) {
    auto ch = std::find_if(channels_.begin(), channels_.end(),
                           [&](const Channel& c) { return c.sci == sas_[i].sci && c.an == sas_[i].an; });
    if (ch == channels_.end()) ch = channels_.insert(channels_.end(), Channel{sas_[i].sci, sas_[i].an, {}});
    ch->by_time.push_back(i);
  }
  for (auto& ch : channels_) {
    // Stable: SAs logged at the same instant keep their line order.
    std::stable_sort(ch.by_time.begin(), ch.by_time.end(),
                     [&](size_t a, size_t b) { return installed(sas_[a]) < installed(sas_[b]); });
  }
}

SaSchedule::Candidates SaSchedule::candidates(secy::Sci sci, uint8_t an, int64_t frame_ns) const {
  Candidates out;
  const auto ch = std::find_if(channels_.begin(), channels_.end(),
                               [&](const Channel& c) { return c.sci == sci && c.an == an; });
  if (ch == channels_.end()) return out;
  const auto& t = ch->by_time;
  // First SA installed after the frame.
  const size_t after = static_cast<size_t>(
      std::upper_bound(t.begin(), t.end(), frame_ns,
                       [&](int64_t ns, size_t i) { return ns < installed(sas_[i]); }) -
      t.begin());
  if (after >= 1) out.index[out.count++] = t[after - 1];
  if (after >= 2) out.index[out.count++] = t[after - 2];
  if (after < t.size()) out.index[out.count++] = t[after];
  return out;
}

}  // namespace linkcrypt::pcaptool
