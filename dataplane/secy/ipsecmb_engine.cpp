// IpsecMbEngine: one IMB_MGR per lcore, direct GCM enc/dec calls on precomputed schedules.
#include "ipsecmb_engine.h"

#include <openssl/crypto.h>

#include <cstring>
#include <stdexcept>

namespace linkcrypt::secy {
namespace {

// Constant-time 16-octet ICV comparison (14.3: a forged ICV must learn nothing from timing):
// two 64-bit XORs and an OR, inline, instead of CRYPTO_memcmp through the PLT per frame. The
// empty asm makes the OR an opaque value, so the compiler cannot split the test into two
// early-exit compares; only the final equal/not-equal result (public) decides a branch.
inline bool icv_equal(const uint8_t* computed, const uint8_t* received) {
  static_assert(kIcvLen == 16);
  uint64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  std::memcpy(&a0, computed, 8);
  std::memcpy(&a1, computed + 8, 8);
  std::memcpy(&b0, received, 8);
  std::memcpy(&b1, received + 8, 8);
  uint64_t diff = (a0 ^ b0) | (a1 ^ b1);
  __asm__("" : "+r"(diff));
  return diff == 0;
}

}  // namespace

IMB_ARCH detect_imb_arch() {
  ImbMgrPtr m(alloc_mb_mgr(0));
  if (!m) return IMB_ARCH_NONE;
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(m.get(), &arch);
  return arch;
}

std::string_view imb_arch_name(IMB_ARCH arch) {
  switch (arch) {
    case IMB_ARCH_NOAESNI: return "noaesni";
    case IMB_ARCH_SSE: return "sse";
    case IMB_ARCH_AVX: return "avx";
    case IMB_ARCH_AVX2: return "avx2";
    case IMB_ARCH_AVX512: return "avx512";
    default: return "none";
  }
}

IpsecMbEngine::IpsecMbEngine(uint32_t lcore_slot) : CipherEngine(lcore_slot) {
  mgr_.reset(alloc_mb_mgr(0));
  if (!mgr_) throw std::runtime_error("ipsec-mb: alloc_mb_mgr failed");
  init_mb_mgr_auto(mgr_.get(), &arch_);
  if (arch_ == IMB_ARCH_NONE || imb_get_errno(mgr_.get()) != 0) {
    throw std::runtime_error("ipsec-mb: no usable arch on this CPU");
  }
  description_ = std::string("ipsec-mb ") + IMB_VERSION_STR + " " + std::string(imb_arch_name(arch_));
}

IpsecMbEngine::~IpsecMbEngine() { OPENSSL_cleanse(&ctx_, sizeof(ctx_)); }

// The IMB_AES{128,256}_GCM_ENC/DEC macros expand to a call through the manager's function
// table; we resolve that pointer once per run of ops with the same key (a TX burst is one run)
// instead of once per frame. Same functions, same arguments.
void IpsecMbEngine::seal_burst(GcmOp* ops, uint32_t n) {
  const SaKey* key = nullptr;
  aes_gcm_enc_dec_t enc = nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    GcmOp& op = ops[i];
    if (i + 1 < n) __builtin_prefetch(ops[i + 1].text);
    if (op.key != key) {
      key = op.key;
      enc = key->is_256() ? mgr_->gcm256_enc : mgr_->gcm128_enc;
    }
    // In place: dst == src is supported by the direct API.
    enc(key->imb_schedule(), &ctx_, op.text, op.text, op.text_len, op.iv, op.aad, op.aad_len,
        op.icv, kIcvLen);
  }
}

// No software prefetch of the next frame here (seal_burst keeps one): validate_burst's queue
// pass has just read every frame's header, and measured back to back the prefetch cost ~2.5% of
// validate throughput at 64 octets (36.2 -> 37.2 Mframes/s without it).
uint32_t IpsecMbEngine::open_burst(GcmOp* ops, uint32_t n, bool* ok) {
  alignas(16) uint8_t tag[kIcvLen];
  uint32_t verified = 0;
  const SaKey* key = nullptr;
  aes_gcm_enc_dec_t dec = nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    GcmOp& op = ops[i];
    if (op.key != key) {
      key = op.key;
      dec = key->is_256() ? mgr_->gcm256_dec : mgr_->gcm128_dec;
    }
    dec(key->imb_schedule(), &ctx_, op.text, op.text, op.text_len, op.iv, op.aad, op.aad_len, tag,
        kIcvLen);
    ok[i] = icv_equal(tag, op.icv);
    verified += ok[i];
  }
  return verified;
}

}  // namespace linkcrypt::secy
