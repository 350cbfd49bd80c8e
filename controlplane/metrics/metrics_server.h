// MetricsServer: --metrics-listen's HTTP endpoint (prometheus-cpp) serving /metrics.
#pragma once

#include <memory>

#include "dataplane.h"
#include "keying_controller.h"
#include "listen_address.h"
#include "snapshot_exchange.h"

namespace prometheus {
class Exposer;
}

namespace linkcrypt::metrics {

class SnapshotCollectable;

// prometheus-cpp's Exposer answers HTTP on its own thread(s), started here on the main lcore so
// they share its CPU and inherit its blocked signals. A scrape asks the event loop for a
// snapshot (SnapshotExchange) and renders it with build_families(); nothing else crosses threads.
class MetricsServer {
 public:
  // Binds `at`; throws std::runtime_error naming the address when it cannot (start-up only).
  // `controller` is null with manual keys; both must outlive the server.
  MetricsServer(const ListenAddress& at, const dpdk::Dataplane& dp, const keying::KeyingController* controller);
  ~MetricsServer();  // wakes a waiting scrape, then stops the HTTP threads
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Event loop, every tick: takes and publishes a snapshot when a scrape is waiting for one.
  void on_tick();

 private:
  const dpdk::Dataplane& dp_;
  const keying::KeyingController* controller_;
  double start_unix_;
  std::shared_ptr<SnapshotExchange> exchange_;
  std::shared_ptr<SnapshotCollectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;  // last: destroyed (threads stopped) first
};

}  // namespace linkcrypt::metrics
