// What /linkcrypt/status and /linkcrypt/sa answer: built by the event loop, read by DPDK's telemetry thread.
#pragma once

#include "dataplane.h"
#include "keying_controller.h"
#include "options.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace linkcrypt::daemon {

// DPDK 22.11's telemetry JSON nests one level deep (a dict of scalars and of dicts of scalars)
// and knows no null, bool or float: the reply is shaped to fit. Absent values (JSON null on the
// control socket) are left out; booleans are 0/1; names use only [A-Za-z0-9_/].
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
  TelemetryReply status;  // the fields of the control socket's `status` (docs/control-socket.md)
  TelemetryReply sa;      // one group per SA, the fields of `sa`
};

// Builds snapshots from the sources the control socket's `status` and `sa` read (the dataplane's
// SA report and links, the keying controller), on the main lcore. Keeps its own PN-rate samples,
// as `sa` does, for time_to_exhaustion_s.
class TelemetrySnapshotBuilder {
 public:
  using Clock = std::chrono::steady_clock;
  // controller is null with manual keys.
  TelemetrySnapshotBuilder(dpdk::Dataplane& dp, const keying::KeyingController* controller,
                           const DaemonOptions& opts);
  [[nodiscard]] TelemetrySnapshot build(Clock::time_point now);

 private:
  struct RateSample {
    Clock::time_point at{};
    uint64_t next_pn = 0;
    double rate = 0;  // PNs per second
  };
  [[nodiscard]] TelemetryReply status(const dpdk::SaReport& report, Clock::time_point now) const;
  [[nodiscard]] TelemetryReply sa(const dpdk::SaReport& report, Clock::time_point now);
  double sample(RateSample& s, Clock::time_point now, uint64_t next_pn);

  dpdk::Dataplane& dp_;
  const keying::KeyingController* ctl_;
  const DaemonOptions& opts_;
  Clock::time_point started_;
  std::map<std::pair<uint64_t, int>, RateSample> rates_;  // (SCI or 0 for TX, AN or AN+4 for RX)
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
