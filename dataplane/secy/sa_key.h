// SaKey: one SAK (wiped on death) plus the precomputed GCM key schedule the engines use.
#pragma once

#include "imb.h"

#include <cstdint>
#include <span>

#include "cipher_suite.h"
#include "secret.h"

namespace linkcrypt::secy {

// Engine-independent key object, built once per SA by the control plane (not on the fast path).
// It holds the SAK and ipsec-mb's expanded key + GHASH table (IMB_AES*_GCM_PRE, computed with
// the process-wide auto-detected arch, the same one IpsecMbEngine uses). OpenSslEngine keys its
// EVP context from sak() directly. Neither copyable nor movable: SAs point at it.
class SaKey {
 public:
  // sak.size() must equal sak_len(suite); throws std::invalid_argument otherwise (control path).
  SaKey(CipherSuite suite, std::span<const uint8_t> sak);
  ~SaKey();
  SaKey(const SaKey&) = delete;
  SaKey& operator=(const SaKey&) = delete;

  [[nodiscard]] CipherSuite suite() const { return suite_; }
  [[nodiscard]] bool is_256() const { return sak_len_ == 32; }
  [[nodiscard]] std::span<const uint8_t> sak() const { return sak_.view().first(sak_len_); }
  [[nodiscard]] const gcm_key_data* imb_schedule() const { return imb_; }
  // Unique per SaKey ever built in this process: engines cache "which key is loaded" by id, never
  // by address (a new key may reuse a freed one's address).
  [[nodiscard]] uint64_t id() const { return id_; }

 private:
  size_t sak_len_;
  uint64_t id_;
  CipherSuite suite_;
  // In the secure arena (common/secure_memory.h), like the SAK: the first round key IS the SAK.
  gcm_key_data* imb_;
  Secret<kMaxSakLen> sak_;
};

}  // namespace linkcrypt::secy
