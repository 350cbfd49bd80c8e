// OpenSSL 3 implementations of the IKEv2 key exchange groups, PRFs, prf+ and the AES-GCM SK cipher.
#include "ike_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace linkcrypt::ike {

size_t ke_public_len(DhGroup g) {
  switch (g) {
    case DhGroup::Curve25519: return 32;
    case DhGroup::Ecp256: return 64;
    case DhGroup::Ecp384: return 96;
  }
  return 0;
}

bool is_supported_group(uint16_t id) { return id == 19 || id == 20 || id == 31; }

namespace {

const char* ec_curve(DhGroup g) { return g == DhGroup::Ecp256 ? "P-256" : "P-384"; }

}  // namespace

std::optional<DhKey> DhKey::generate(DhGroup group) {
  EvpPkeyPtr key;
  std::vector<uint8_t> pub;
  if (group == DhGroup::Curve25519) {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!key) return std::nullopt;
    pub.resize(32);
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != 32) return std::nullopt;
  } else {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", ec_curve(group)));
    if (!key) return std::nullopt;
    uint8_t buf[1 + 96];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf), &len) != 1)
      return std::nullopt;
    // Uncompressed point 0x04 | x | y; IKEv2 carries x | y only (RFC 5903 7).
    if (len != 1 + ke_public_len(group) || buf[0] != 0x04) return std::nullopt;
    pub.assign(buf + 1, buf + len);
  }
  return DhKey(group, std::move(key), std::move(pub));
}

std::optional<DhKey> DhKey::from_private_x25519(std::span<const uint8_t, 32> scalar) {
  EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  if (!key) return std::nullopt;
  std::vector<uint8_t> pub(32);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != 32) return std::nullopt;
  return DhKey(DhGroup::Curve25519, std::move(key), std::move(pub));
}

std::optional<SecretBytes> DhKey::derive(std::span<const uint8_t> peer_public) const {
  if (peer_public.size() != ke_public_len(group_)) return std::nullopt;
  EvpPkeyPtr peer;
  if (group_ == DhGroup::Curve25519) {
    peer.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(), peer_public.size()));
  } else {
    uint8_t point[1 + 96];
    point[0] = 0x04;
    std::memcpy(point + 1, peer_public.data(), peer_public.size());
    EvpPkeyCtxPtr fctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!fctx || EVP_PKEY_fromdata_init(fctx.get()) != 1) return std::nullopt;
    char curve[16];
    std::strncpy(curve, ec_curve(group_), sizeof(curve) - 1);
    curve[sizeof(curve) - 1] = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, curve, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + peer_public.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(fctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) return std::nullopt;
    peer.reset(raw);
    // RFC 5903 / RFC 7296 5: the peer's point must be on the curve (invalid-curve attacks). P-256
    // and P-384 have cofactor 1, so on-curve and not infinity already means the prime-order
    // group: the quick check suffices (the full one adds a scalar multiplication by the order).
    EvpPkeyCtxPtr cctx(EVP_PKEY_CTX_new_from_pkey(nullptr, peer.get(), nullptr));
    if (!cctx || EVP_PKEY_public_check_quick(cctx.get()) != 1) return std::nullopt;
  }
  if (!peer) return std::nullopt;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1)
    return std::nullopt;
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0 || len > 96) return std::nullopt;
  SecretBytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.mut().data(), &len) != 1 || len != out.size()) return std::nullopt;
  if (group_ == DhGroup::Curve25519) {
    // RFC 8031 2.3: an all-zero shared secret means a small-order peer point: reject.
    uint8_t acc = 0;
    for (uint8_t b : out.view()) acc |= b;
    if (acc == 0) return std::nullopt;
  }
  return out;
}

// ---- PRF ------------------------------------------------------------------------------------

size_t prf_len(Prf p) {
  switch (p) {
    case Prf::HmacSha2_256: return 32;
    case Prf::HmacSha2_384: return 48;
    case Prf::HmacSha2_512: return 64;
  }
  return 0;
}

namespace {

const char* prf_digest(Prf p) {
  switch (p) {
    case Prf::HmacSha2_256: return "SHA2-256";
    case Prf::HmacSha2_384: return "SHA2-384";
    case Prf::HmacSha2_512: return "SHA2-512";
  }
  return "SHA2-256";
}

EVP_MAC* hmac_algorithm() {
  // Fetched once: provider lookups are the expensive part of a small HMAC.
  static EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

}  // namespace

bool prf(Prf p, std::span<const uint8_t> key, std::initializer_list<std::span<const uint8_t>> parts,
         std::span<uint8_t> out) {
  if (out.size() != prf_len(p) || hmac_algorithm() == nullptr) return false;
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!ctx) return false;
  char digest[16];
  std::strncpy(digest, prf_digest(p), sizeof(digest) - 1);
  digest[sizeof(digest) - 1] = 0;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  static const uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx.get(), key.empty() ? &kEmpty : key.data(), key.size(), params) != 1) return false;
  for (auto part : parts)
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) return false;
  size_t len = 0;
  return EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1 && len == out.size();
}

bool prf_plus(Prf p, std::span<const uint8_t> key, std::span<const uint8_t> seed, std::span<uint8_t> out) {
  const size_t block_len = prf_len(p);
  // RFC 7296 2.13: the counter is one octet, so prf+ yields at most 255 blocks.
  if (block_len == 0 || out.size() > 255 * block_len) return false;
  SecretBytes t(block_len);
  size_t done_len = 0;
  for (uint8_t i = 1; done_len < out.size(); ++i) {
    const uint8_t counter[1] = {i};
    std::span<const uint8_t> prev = i == 1 ? std::span<const uint8_t>{} : t.view();
    SecretBytes next(block_len);
    if (!prf(p, key, {prev, seed, counter}, next.mut())) return false;
    t = std::move(next);
    const size_t take_len = std::min(block_len, out.size() - done_len);
    std::copy_n(t.view().begin(), take_len, out.begin() + done_len);
    done_len += take_len;
  }
  return true;
}

// ---- AES-GCM ----------------------------------------------------------------------------------

namespace {

EVP_CIPHER* gcm_cipher(size_t key_len) {
  static EvpCipherPtr gcm128(EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr));
  static EvpCipherPtr gcm256(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (key_len == 16) return gcm128.get();
  if (key_len == 32) return gcm256.get();
  return nullptr;
}

bool gcm_setup(EVP_CIPHER_CTX* ctx, std::span<const uint8_t> key_salt, std::span<const uint8_t, kGcmIvLen> iv,
               bool encrypt) {
  if (key_salt.size() <= kGcmSaltLen) return false;
  const size_t key_len = key_salt.size() - kGcmSaltLen;
  EVP_CIPHER* c = gcm_cipher(key_len);
  if (c == nullptr) return false;
  // RFC 5282 4: nonce = salt (4, from SK_e) | explicit IV (8).
  uint8_t nonce[12];
  std::copy_n(key_salt.begin() + key_len, kGcmSaltLen, nonce);
  std::copy(iv.begin(), iv.end(), nonce + kGcmSaltLen);
  const int ok = EVP_CipherInit_ex2(ctx, c, key_salt.data(), nonce, encrypt ? 1 : 0, nullptr);
  OPENSSL_cleanse(nonce, sizeof(nonce));
  return ok == 1;
}

}  // namespace

bool gcm_seal(std::span<const uint8_t> key_salt, std::span<const uint8_t, kGcmIvLen> iv, std::span<const uint8_t> aad,
              std::span<const uint8_t> plaintext, std::vector<uint8_t>& out) {
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !gcm_setup(ctx.get(), key_salt, iv, true)) return false;
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
    return false;
  const size_t base = out.size();
  out.resize(base + plaintext.size() + kGcmIcvLen);
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.data() + base, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1)
    return false;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + base + plaintext.size(), &len) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmIcvLen, out.data() + base + plaintext.size()) == 1;
}

bool gcm_open(std::span<const uint8_t> key_salt, std::span<const uint8_t, kGcmIvLen> iv, std::span<const uint8_t> aad,
              std::span<const uint8_t> ct_icv, SecretBytes& out) {
  if (ct_icv.size() < kGcmIcvLen) return false;
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !gcm_setup(ctx.get(), key_salt, iv, false)) return false;
  const size_t ct_len = ct_icv.size() - kGcmIcvLen;
  int len = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
    return false;
  SecretBytes plain(ct_len);
  if (ct_len != 0 &&
      EVP_DecryptUpdate(ctx.get(), plain.mut().data(), &len, ct_icv.data(), static_cast<int>(ct_len)) != 1)
    return false;
  uint8_t tag[kGcmIcvLen];
  std::copy_n(ct_icv.begin() + ct_len, kGcmIcvLen, tag);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmIcvLen, tag) != 1) return false;
  uint8_t fin[16];
  if (EVP_DecryptFinal_ex(ctx.get(), fin, &len) != 1) return false;
  out = std::move(plain);
  return true;
}

bool random_bytes(std::span<uint8_t> out) { return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1; }

uint64_t random_u64() {
  uint8_t b[8] = {};
  while (true) {
    if (!random_bytes(b)) std::abort();  // no CSPRNG: nothing safe to do
    uint64_t v = 0;
    for (uint8_t x : b) v = (v << 8) | x;
    if (v != 0) return v;
  }
}

uint32_t random_u32() {
  while (true) {
    const auto v = static_cast<uint32_t>(random_u64());
    if (v >= 0x100) return v;  // SPIs 0-255 are reserved (RFC 4303 2.1)
  }
}

std::vector<uint8_t> sha1(std::initializer_list<std::span<const uint8_t>> parts) {
  std::vector<uint8_t> out(20);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1) return {};
  for (auto p : parts)
    if (!p.empty() && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) return {};
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) return {};
  return out;
}

}  // namespace linkcrypt::ike
