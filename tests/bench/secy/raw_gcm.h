// The per-core limit: ipsec-mb's direct GCM calls on the pool's buffers, with no SecY around them.
#pragma once

#include <intel-ipsec-mb.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "frame_pool.h"

namespace linkcrypt::bench {

// Exactly the cryptographic work a SecY with explicit SCI and confidentiality must do per frame:
// AAD = DA|SA|SecTAG (28 octets), GCM over the user data (frame - 12 octets) in place, 16-octet
// tag. Keys are expanded once (IMB_AES*_GCM_PRE); each frame is one IMB_AES*_GCM_ENC/DEC call,
// its IV built just before the call. Nothing else: no SecTAG, no address move, no counters.
class RawGcm {
 public:
  RawGcm(std::span<const uint8_t> key);  // 16 or 32 octets; throws if ipsec-mb cannot start
  ~RawGcm();
  RawGcm(const RawGcm&) = delete;
  RawGcm& operator=(const RawGcm&) = delete;

  // One pass over the whole pool in bursts of kBurst: the burst's IVs first, then one call per frame.
  void seal_pass(FramePool& pool);
  void open_pass(FramePool& pool);
  [[nodiscard]] std::string arch_name() const;

 private:
  struct MgrFree {
    void operator()(IMB_MGR* m) const { free_mb_mgr(m); }
  };
  std::unique_ptr<IMB_MGR, MgrFree> mgr_;
  IMB_ARCH arch_ = IMB_ARCH_NONE;
  bool aes256_ = false;
  uint64_t pn_ = 1;
  alignas(64) gcm_key_data key_;
  alignas(64) gcm_context_data ctx_;
};

}  // namespace linkcrypt::bench
