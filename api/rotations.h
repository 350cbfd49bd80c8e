// `rotations` (args: last=N) and `rekey`: the rotation log and starting a rotation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

struct RotationsArgs {
  std::optional<uint64_t> last;  // only the last N records
};
constexpr auto fields_of(std::type_identity<RotationsArgs>) {
  return std::tuple{field("last", &RotationsArgs::last, Absent::kOmitted)};
}

struct RotationRecord {
  int64_t when = 0;  // Unix seconds, when the rotation was requested
  std::string reason;
  uint64_t duration_ms = 0;
  uint64_t frames_dropped = 0;
  std::string old_key_id;
  std::string new_key_id;
  bool complete = false;
};
constexpr auto fields_of(std::type_identity<RotationRecord>) {
  using S = RotationRecord;
  return std::tuple{field("when", &S::when), field("reason", &S::reason), field("duration_ms", &S::duration_ms),
                    field("frames_dropped", &S::frames_dropped), field("old_key_id", &S::old_key_id),
                    field("new_key_id", &S::new_key_id), field("complete", &S::complete)};
}

struct RotationsResult {
  std::vector<RotationRecord> rotations;
};
constexpr auto fields_of(std::type_identity<RotationsResult>) {
  return std::tuple{field("rotations", &RotationsResult::rotations)};
}

struct RekeyResult {
  bool started = false;
};
constexpr auto fields_of(std::type_identity<RekeyResult>) { return std::tuple{field("started", &RekeyResult::started)}; }

}  // namespace linkcrypt::api
