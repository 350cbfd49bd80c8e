// KxGuard: the known-IKE-SA table for the workers' classifier, and the once-a-second flood line.
#include "kx_guard.h"

#include "daemon_log.h"

#include <algorithm>
#include <string>

namespace linkcrypt::daemon {
namespace {

// An IKE SA replaced by a rekey keeps its priority this long: enough for the Delete exchange on
// it and its retransmissions (RFC 7296 2.18, 2.4).
constexpr std::chrono::seconds kReplacedSaPriority{60};

}  // namespace

void KxGuard::after_tick(dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point now) {
  publish(dp, controller, now);
  if (now >= next_report_) {
    report(dp, controller, now);
    next_report_ = now + std::chrono::seconds(1);
  }
}

void KxGuard::publish(dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point now) {
  if (const auto spis = controller.ike_sa_spis()) {
    const kxclass::IkeSaSpis cur{spis->first, spis->second};
    std::erase_if(recent_, [&](const Recent& r) { return r.spis == cur; });
    recent_.insert(recent_.begin(), Recent{cur, now});
  }
  // The current SA (refreshed above) never ages out; replaced ones do.
  std::erase_if(recent_, [&](const Recent& r) { return now - r.seen > kReplacedSaPriority; });
  if (recent_.size() > kxclass::KnownIkeSas::kMax) recent_.resize(kxclass::KnownIkeSas::kMax);
  kxclass::KnownIkeSas table;
  for (const Recent& r : recent_) table.sas[table.count++] = r.spis;
  dp.set_known_ike_sas(table);
}

KxGuard::Refused KxGuard::sample(const dpdk::Dataplane& dp, const keying::KeyingController& controller) {
  const dpdk::WorkerCounters w = dp.counters().worker;
  Refused r;
  r.junk = w.kx_junk;
  r.rate_limited = w.kx_rate_limited;
  r.low_ring_full = w.kx_punt_full;
  r.priority_ring_full = w.kx_priority_full;
  if (const ike::ResponderCounters* rc = controller.responder_counters()) {
    r.cookies_sent = rc->cookies_sent;
    r.cookie_invalid = rc->cookie_invalid;
    r.over_limit = rc->over_limit;
    r.ike_malformed = rc->malformed;
  }
  r.unrouted = controller.counters().rx_unrouted + controller.counters().rx_unparsable;
  return r;
}

void KxGuard::report(const dpdk::Dataplane& dp, const keying::KeyingController& controller, Clock::time_point) {
  const Refused now = sample(dp, controller);
  if (!sampled_) {
    last_ = now;
    sampled_ = true;
    return;
  }
  const Refused d{now.junk - last_.junk, now.rate_limited - last_.rate_limited,
                  now.low_ring_full - last_.low_ring_full, now.priority_ring_full - last_.priority_ring_full,
                  now.cookies_sent - last_.cookies_sent, now.cookie_invalid - last_.cookie_invalid,
                  now.over_limit - last_.over_limit, now.ike_malformed - last_.ike_malformed,
                  now.unrouted - last_.unrouted};
  last_ = now;
  const uint64_t dataplane = d.junk + d.rate_limited + d.low_ring_full + d.priority_ring_full;
  const uint64_t responder = d.cookies_sent + d.cookie_invalid + d.over_limit + d.ike_malformed + d.unrouted;
  if (dataplane + responder == 0) return;
  // One line a second whatever the flood's rate: the counters (linkcryptctl stats) say the rest.
  const std::string line = "key-exchange frames refused in the last second: " + std::to_string(d.junk) + " junk, " +
      std::to_string(d.rate_limited) + " over kx-new-sa-rate, " + std::to_string(d.low_ring_full + d.priority_ring_full) +
      " punt ring full; " + std::to_string(d.cookies_sent) + " COOKIEs sent, " + std::to_string(d.cookie_invalid) +
      " invalid COOKIEs, " + std::to_string(d.over_limit) + " over ike-half-open-limit, " +
      std::to_string(d.ike_malformed + d.unrouted) + " malformed or for no IKE SA";
  log(LogLevel::Warning, line, {{"REASON", "KxRefused"}, {"KX_JUNK", std::to_string(d.junk)},
                                {"KX_RATE_LIMITED", std::to_string(d.rate_limited)},
                                {"COOKIES_SENT", std::to_string(d.cookies_sent)}});
}

}  // namespace linkcrypt::daemon
