// SnapshotExchange: request/publish under one mutex, with a condition variable for the waiter.
#include "snapshot_exchange.h"

namespace linkcrypt::metrics {

std::shared_ptr<const MetricsSnapshot> SnapshotExchange::request(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (closed_) return latest_;
  const uint64_t asked_at = generation_;
  wanted_.store(true, std::memory_order_relaxed);
  published_cv_.wait_for(lock, wait, [&] { return closed_ || generation_ != asked_at; });
  return latest_;
}

void SnapshotExchange::publish(MetricsSnapshot s) {
  auto fresh = std::make_shared<const MetricsSnapshot>(std::move(s));
  {
    std::lock_guard lock(mu_);
    latest_ = std::move(fresh);
    ++generation_;
    wanted_.store(false, std::memory_order_relaxed);
  }
  published_cv_.notify_all();
}

void SnapshotExchange::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  published_cv_.notify_all();
}

}  // namespace linkcrypt::metrics
