// The SecY under test in the benchmark: protect_burst / validate_burst over the pool, one engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frame_pool.h"
#include "secy.h"

namespace linkcrypt::bench {

// One TxSa + one RxSc/RxSa on the same SAK, as a worker lcore would hold them: explicit SCI,
// confidentiality, Strict validation with replay protection (window 0: every PN must be new).
class SecyRunner {
 public:
  SecyRunner(secy::CipherSuite suite, secy::EngineKind engine);

  // Timed: protect every frame of the pool in bursts of kBurst (plain frame at slot + 16).
  void protect_pass(FramePool& pool);
  // Untimed: fresh protected frames with new PNs (so replay protection accepts them).
  void prepare_validate(FramePool& pool);
  // Timed: validate every frame of the pool in bursts of kBurst.
  void validate_pass(FramePool& pool);
  // Throws if any frame of the last pass was not protected / validated OK: a benchmark that
  // drops frames measures nothing.
  void check_last_pass(const char* op) const;
  [[nodiscard]] std::string engine_description() const;
  // The receive side's replay settings (default: window 0, no bitmap): --replay compare
  // measures a window with and without --replay-check strict side by side.
  void set_replay(uint32_t window, bool strict) {
    cfg_.replay_window = window;
    cfg_.replay_strict = strict;
  }

 private:
  secy::CipherSuite suite_;
  std::unique_ptr<secy::CipherEngine> engine_;
  std::unique_ptr<secy::CipherEngine> producer_engine_;  // builds validate input, untimed
  std::unique_ptr<secy::TxSa> tx_;
  std::unique_ptr<secy::TxSa> producer_tx_;
  secy::RxTable rx_;
  secy::SecyConfig cfg_;
  secy::SecyCounters counters_;
  secy::FrameRef refs_[kPoolFrames];
  secy::ProtectVerdict protect_verdicts_[kPoolFrames];
  secy::ValidateResult results_[kPoolFrames];
  uint32_t last_ok_ = 0;
};

}  // namespace linkcrypt::bench
