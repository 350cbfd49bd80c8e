// SnapshotExchange: hands MetricsSnapshots from the event loop to the HTTP exporter thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "metrics_snapshot.h"

namespace linkcrypt::metrics {

// The exporter never reads daemon state itself: a scrape raises `wanted`, the event loop sees it
// on its next tick (10 ms), takes a snapshot on its own thread and publishes it here. Only the
// control plane's two threads meet at this mutex; the dataplane workers never see it.
class SnapshotExchange {
 public:
  // Exporter thread: asks for a fresh snapshot and waits up to `wait` for it. Returns the newest
  // one (an older one if the loop did not answer in time), null if none was ever published.
  [[nodiscard]] std::shared_ptr<const MetricsSnapshot> request(std::chrono::milliseconds wait);
  // Event loop, every tick: one relaxed atomic load.
  [[nodiscard]] bool wanted() const { return wanted_.load(std::memory_order_relaxed); }
  void publish(MetricsSnapshot s);
  // Shutdown: waiting and later requests return at once.
  void close();

 private:
  std::mutex mu_;
  std::condition_variable published_cv_;
  std::atomic<bool> wanted_{false};
  uint64_t generation_ = 0;  // under mu_
  bool closed_ = false;      // under mu_
  std::shared_ptr<const MetricsSnapshot> latest_;  // under mu_
};

}  // namespace linkcrypt::metrics
