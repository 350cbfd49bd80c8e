// CipherEngine: the GCM-AES seal/open interface both engines implement, one call per burst.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "cipher_suite.h"
#include "counters.h"
#include "sa_key.h"

namespace linkcrypt::secy {

// One AEAD operation, fully described before the engine runs (design.md §6: IVs are built for
// the whole burst first). Confidentiality: aad = DA‖SA‖SecTAG, text = secure data (in place).
// Integrity only (14.5): aad = everything up to the ICV, text_len = 0.
struct GcmOp {
  const SaKey* key;
  uint8_t iv[kIvLen];
  const uint8_t* aad;
  uint32_t aad_len;
  uint8_t* text;       // encrypted/decrypted in place
  uint32_t text_len;
  uint8_t* icv;        // seal: written; open: the received ICV, compared in constant time
};

enum class EngineKind : uint8_t { IpsecMb, OpenSsl };

[[nodiscard]] std::string_view engine_kind_name(EngineKind k);
[[nodiscard]] std::optional<EngineKind> parse_engine_kind(std::string_view name);  // "ipsec-mb"|"openssl"

// One instance PER LCORE: engines hold scratch state and are not thread-safe. The virtual call
// is per burst, never per frame. `lcore_slot` (< kMaxLcores) indexes the per-lcore SC/SA
// counters inside the SA objects.
class CipherEngine {
 public:
  // Throws std::invalid_argument if lcore_slot >= kMaxLcores.
  explicit CipherEngine(uint32_t lcore_slot);
  virtual ~CipherEngine() = default;
  CipherEngine(const CipherEngine&) = delete;
  CipherEngine& operator=(const CipherEngine&) = delete;

  // Encrypts ops[i].text in place and writes ops[i].icv, for i < n.
  virtual void seal_burst(GcmOp* ops, uint32_t n) = 0;
  // Decrypts in place and sets ok[i] iff the computed ICV equals ops[i].icv (constant time).
  // Returns how many verified. On failure the text may already be overwritten: the caller drops
  // such frames.
  virtual uint32_t open_burst(GcmOp* ops, uint32_t n, bool* ok) = 0;

  [[nodiscard]] virtual EngineKind kind() const = 0;
  // Human-readable description, e.g. "ipsec-mb 1.3.0 avx512" or "OpenSSL 3.0.x".
  [[nodiscard]] virtual std::string_view description() const = 0;
  [[nodiscard]] uint32_t lcore_slot() const { return lcore_slot_; }

 private:
  uint32_t lcore_slot_;
};

// Throws std::runtime_error if the engine cannot start (start-up only).
[[nodiscard]] std::unique_ptr<CipherEngine> make_engine(EngineKind kind, uint32_t lcore_slot = 0);

}  // namespace linkcrypt::secy
