// The rotation log: the last 64 key rotations, each measured (when, why, how long, drops).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>

namespace linkcrypt::keying {

enum class RotationReason : uint8_t { Interval, PnThreshold, Bytes, Operator, Peer };
[[nodiscard]] std::string_view rotation_reason_name(RotationReason r);

struct RotationRecord {
  uint64_t seq = 0;             // 1, 2, ... since start-up
  int64_t when_unix = 0;        // when the rotation was requested (or the peer's request arrived)
  RotationReason reason = RotationReason::Operator;
  uint64_t duration_ms = 0;     // request → transmit switched, as seen locally
  uint64_t frames_dropped = 0;  // drop counters' delta from the request until old RX SAs retired
  bool complete = false;        // false while the old receive SAs are still in their grace period
  uint64_t old_key_id = 0;
  uint64_t new_key_id = 0;
};

class RotationLog {
 public:
  static constexpr size_t kCapacity = 64;

  // Appends and returns the record's seq.
  uint64_t add(RotationRecord r);
  // Updates a record still in the ring (no-op once it has been pushed out).
  void finish(uint64_t seq, uint64_t frames_dropped);
  [[nodiscard]] const std::deque<RotationRecord>& records() const { return ring_; }
  [[nodiscard]] uint64_t total() const { return next_seq_ - 1; }

 private:
  std::deque<RotationRecord> ring_;
  uint64_t next_seq_ = 1;
};

}  // namespace linkcrypt::keying
