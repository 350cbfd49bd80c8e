// IpsecMbEngine: the fast path, ipsec-mb's direct GCM calls on precomputed key schedules.
#pragma once

#include "imb.h"

#include <memory>
#include <string>

#include "engine.h"

namespace linkcrypt::secy {

struct ImbMgrDeleter {
  void operator()(IMB_MGR* m) const { free_mb_mgr(m); }
};
using ImbMgrPtr = std::unique_ptr<IMB_MGR, ImbMgrDeleter>;

// The arch init_mb_mgr_auto picks on this CPU (AVX512 > AVX2 > AVX > SSE).
[[nodiscard]] IMB_ARCH detect_imb_arch();
[[nodiscard]] std::string_view imb_arch_name(IMB_ARCH arch);

// Uses IMB_AES{128,256}_GCM_ENC/DEC (one call per frame, no job API: design.md §6 measured the
// direct calls ~40% faster at 64 B) with the SaKey's precomputed schedule.
class IpsecMbEngine final : public CipherEngine {
 public:
  explicit IpsecMbEngine(uint32_t lcore_slot = 0);  // throws std::runtime_error
  ~IpsecMbEngine() override;  // wipes the GCM context (it holds keystream of the last frame)

  void seal_burst(GcmOp* ops, uint32_t n) override;
  uint32_t open_burst(GcmOp* ops, uint32_t n, bool* ok) override;
  [[nodiscard]] EngineKind kind() const override { return EngineKind::IpsecMb; }
  [[nodiscard]] std::string_view description() const override { return description_; }
  [[nodiscard]] IMB_ARCH arch() const { return arch_; }

 private:
  ImbMgrPtr mgr_;
  IMB_ARCH arch_ = IMB_ARCH_NONE;
  std::string description_;
  alignas(64) gcm_context_data ctx_;
};

}  // namespace linkcrypt::secy
