// OpenSslEngine: the reference engine, OpenSSL 3 EVP AES-GCM.
#pragma once

#include <string>

#include "engine.h"
#include "openssl_handles.h"

namespace linkcrypt::secy {

// 5-10x slower than ipsec-mb (design.md §6): used to cross-check it and as a fallback.
// Keeps one EVP context per direction and re-keys it only when the SaKey changes.
class OpenSslEngine final : public CipherEngine {
 public:
  explicit OpenSslEngine(uint32_t lcore_slot = 0);  // throws std::runtime_error

  void seal_burst(GcmOp* ops, uint32_t n) override;
  uint32_t open_burst(GcmOp* ops, uint32_t n, bool* ok) override;
  [[nodiscard]] EngineKind kind() const override { return EngineKind::OpenSsl; }
  [[nodiscard]] std::string_view description() const override { return description_; }

 private:
  bool run(GcmOp& op, bool encrypt);

  EvpCipherCtxPtr enc_;
  EvpCipherCtxPtr dec_;
  uint64_t enc_key_id_ = 0;  // 0: no key loaded (ids start at 1)
  uint64_t dec_key_id_ = 0;
  std::string description_;
};

}  // namespace linkcrypt::secy
