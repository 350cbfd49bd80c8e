// The rotation log: a bounded ring of measured rotations.
#include "rotation_log.h"

namespace linkcrypt::keying {

std::string_view rotation_reason_name(RotationReason r) {
  switch (r) {
    case RotationReason::Interval: return "interval";
    case RotationReason::PnThreshold: return "pn-threshold";
    case RotationReason::Bytes: return "bytes";
    case RotationReason::Operator: return "operator";
    case RotationReason::Peer: return "peer";
  }
  return "unknown";
}

uint64_t RotationLog::add(RotationRecord r) {
  r.seq = next_seq_++;
  ring_.push_back(r);
  if (ring_.size() > kCapacity) ring_.pop_front();
  return r.seq;
}

void RotationLog::finish(uint64_t seq, uint64_t frames_dropped) {
  for (auto& r : ring_) {
    if (r.seq == seq) {
      r.frames_dropped = frames_dropped;
      r.complete = true;
    }
  }
}

}  // namespace linkcrypt::keying
