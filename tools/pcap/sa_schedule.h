// Which keylog SA to try for a captured frame: by its SCI, its AN and the frame's time (docs/keylog.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keylog_file.h"

namespace linkcrypt::pcaptool {

class SaSchedule {
 public:
  // Up to this many SAs are tried per frame (see candidates()).
  static constexpr size_t kMaxCandidates = 3;

  // The same key logged twice (the sender's tx line and the receiver's rx line when two keylogs
  // are concatenated, or a daemon restarted with the same manual keys) is kept once, at its
  // earliest install time. SAs without a time count as installed before any frame.
  explicit SaSchedule(std::vector<KeylogSa> sas);

  [[nodiscard]] const std::vector<KeylogSa>& sas() const { return sas_; }
  // The distinct SCIs, in the order of their first line.
  [[nodiscard]] const std::vector<secy::Sci>& scis() const { return scis_; }

  struct Candidates {
    size_t index[kMaxCandidates];  // into sas()
    size_t count = 0;
  };
  // The SAs of (sci, an) in the order to try them: the newest installed at or before the frame;
  // then the one it replaced (frames still in flight, or a capture clock slightly ahead); then
  // the first installed after the frame (a capture clock behind the daemon's). An AN is reused
  // every fourth rotation, so only time tells its SAs apart.
  [[nodiscard]] Candidates candidates(secy::Sci sci, uint8_t an, int64_t frame_ns) const;

 private:
  struct Channel {  // the SAs of one (SCI, AN), oldest first
    secy::Sci sci;
    uint8_t an;
    std::vector<size_t> by_time;
  };
  std::vector<KeylogSa> sas_;
  std::vector<secy::Sci> scis_;
  std::vector<Channel> channels_;
};

}  // namespace linkcrypt::pcaptool
