// What /linkcrypt/status and /linkcrypt/sa answer: built by the event loop, read by DPDK's telemetry thread.
#pragma once

#include "api/field_list.h"
#include "api/sa.h"
#include "api/status.h"
#include "control_handlers.h"
#include "dataplane.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace linkcrypt::daemon {

// DPDK 22.11's telemetry JSON nests one level deep (a dict of scalars and of dicts of scalars)
// and knows no null, bool or float: the reply is shaped to fit. Absent values (JSON null on the
// control socket) are left out; booleans are 0/1; seconds are whole; names use only
// [A-Za-z0-9_/].
struct TelemetryField {
  std::string name;
  std::variant<std::string, uint64_t> value;
};
struct TelemetryGroup {
  std::string name;
  std::vector<TelemetryField> fields;
};
struct TelemetryReply {
  std::vector<TelemetryField> fields;
  std::vector<TelemetryGroup> groups;
};

struct TelemetrySnapshot {
  TelemetryReply status;  // `status` (docs/control-socket.md), each port a group with its port_id
  TelemetryReply sa;      // `sa`: one group per SA, tx_an<AN> / rx_<SCI>_an<AN>
};

// The control socket's own results in telemetry's shape: the same api/ structs, the same field
// names (their field lists), so the two cannot drift apart.
[[nodiscard]] TelemetryReply telemetry_status(const api::StatusResult& s, uint16_t plain_port_id,
                                              uint16_t wire_port_id);
[[nodiscard]] TelemetryReply telemetry_sa(const api::SaResult& s);

// Builds snapshots on the main lcore from the control handlers' `status` and `sa` (which read
// the dataplane's SA report and links and the keying controller).
class TelemetrySnapshotBuilder {
 public:
  TelemetrySnapshotBuilder(ControlHandlers& handlers, const dpdk::Dataplane& dp) : handlers_(handlers), dp_(dp) {}
  [[nodiscard]] TelemetrySnapshot build() {
    return {telemetry_status(handlers_.status(), dp_.plain_port().id(), dp_.wire_port().id()),
            telemetry_sa(handlers_.sa())};
  }

 private:
  ControlHandlers& handlers_;
  const dpdk::Dataplane& dp_;
};

// The latest snapshot, handed from the event loop to the telemetry thread. The event loop
// replaces it under the mutex; a reader takes a reference under the mutex and renders without it,
// so neither ever waits for the other's work (and the workers are not involved at all).
class TelemetryBoard {
 public:
  void publish(TelemetrySnapshot s) {
    auto next = std::make_shared<const TelemetrySnapshot>(std::move(s));
    std::lock_guard lock(mutex_);
    latest_.swap(next);
  }
  [[nodiscard]] std::shared_ptr<const TelemetrySnapshot> latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const TelemetrySnapshot> latest_;
};

}  // namespace linkcrypt::daemon
