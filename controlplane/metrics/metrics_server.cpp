// MetricsServer: the Exposer, and the Collectable that turns a fresh snapshot into families.
#include "metrics_server.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <stdexcept>

#include "metric_families.h"

namespace linkcrypt::metrics {

// How long a scrape waits for the event loop (which ticks every 10 ms) before it is answered
// with the previous snapshot: well inside Prometheus' default 10 s scrape timeout.
inline constexpr std::chrono::milliseconds kSnapshotWait{1000};

class SnapshotCollectable : public prometheus::Collectable {
 public:
  explicit SnapshotCollectable(std::shared_ptr<SnapshotExchange> exchange) : exchange_(std::move(exchange)) {}
  // Runs on the HTTP thread.
  std::vector<prometheus::MetricFamily> Collect() const override {
    const auto snap = exchange_->request(kSnapshotWait);
    if (!snap) return {};
    return build_families(*snap);
  }

 private:
  std::shared_ptr<SnapshotExchange> exchange_;
};

MetricsServer::MetricsServer(const ListenAddress& at, const dpdk::Dataplane& dp,
                             const keying::KeyingController* controller)
    : dp_(dp),
      controller_(controller),
      start_unix_(unix_now()),
      exchange_(std::make_shared<SnapshotExchange>()),
      collectable_(std::make_shared<SnapshotCollectable>(exchange_)) {
  try {
    // One HTTP thread: scrapes come every few seconds, and each waits for the event loop anyway.
    exposer_ = std::make_unique<prometheus::Exposer>(at.bind_text(), 1);
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics-listen " + at.bind_text() + ": cannot listen: " + e.what());
  }
  exposer_->RegisterCollectable(collectable_, "/metrics");
}

MetricsServer::~MetricsServer() {
  exchange_->close();
  exposer_.reset();
}

void MetricsServer::on_tick() {
  if (exchange_->wanted()) exchange_->publish(take_snapshot(dp_, controller_, start_unix_));
}

}  // namespace linkcrypt::metrics
