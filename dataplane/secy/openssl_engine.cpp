// OpenSslEngine: AES-GCM through OpenSSL 3 EVP, one context per direction, re-keyed on change.
#include "openssl_engine.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include <stdexcept>

namespace linkcrypt::secy {

OpenSslEngine::OpenSslEngine(uint32_t lcore_slot)
    : CipherEngine(lcore_slot),
      enc_(EVP_CIPHER_CTX_new()),
      dec_(EVP_CIPHER_CTX_new()),
      description_(OPENSSL_VERSION_TEXT) {
  if (!enc_ || !dec_) throw std::runtime_error("OpenSSL: EVP_CIPHER_CTX_new failed");
}

bool OpenSslEngine::run(GcmOp& op, bool encrypt) {
  EVP_CIPHER_CTX* ctx = encrypt ? enc_.get() : dec_.get();
  uint64_t& loaded = encrypt ? enc_key_id_ : dec_key_id_;
  const int enc = encrypt ? 1 : 0;
  if (loaded != op.key->id()) {
    const EVP_CIPHER* cipher = op.key->is_256() ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
    // 12-octet IV is GCM's default length, so no EVP_CTRL_GCM_SET_IVLEN is needed.
    if (EVP_CipherInit_ex(ctx, cipher, nullptr, op.key->sak().data(), op.iv, enc) != 1) {
      loaded = 0;
      return false;
    }
    loaded = op.key->id();
  } else if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, op.iv, enc) != 1) {
    return false;
  }
  int out_len = 0;
  if (op.aad_len != 0 &&
      EVP_CipherUpdate(ctx, nullptr, &out_len, op.aad, static_cast<int>(op.aad_len)) != 1) {
    return false;
  }
  if (op.text_len != 0 &&
      EVP_CipherUpdate(ctx, op.text, &out_len, op.text, static_cast<int>(op.text_len)) != 1) {
    return false;
  }
  if (!encrypt &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kIcvLen), op.icv) != 1) {
    return false;
  }
  // On decrypt, EVP_CipherFinal_ex compares the tag itself with CRYPTO_memcmp (constant time).
  uint8_t scratch[16];
  if (EVP_CipherFinal_ex(ctx, scratch, &out_len) != 1) return false;
  if (encrypt &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kIcvLen), op.icv) != 1) {
    return false;
  }
  return true;
}

void OpenSslEngine::seal_burst(GcmOp* ops, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    // EVP can only fail here on an internal error; leave a zero ICV so the frame cannot verify.
    if (!run(ops[i], true)) OPENSSL_cleanse(ops[i].icv, kIcvLen);
  }
}

uint32_t OpenSslEngine::open_burst(GcmOp* ops, uint32_t n, bool* ok) {
  uint32_t verified = 0;
  for (uint32_t i = 0; i < n; ++i) {
    ok[i] = run(ops[i], false);
    verified += ok[i];
  }
  return verified;
}

}  // namespace linkcrypt::secy
