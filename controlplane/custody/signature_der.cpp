// ECDSA r||s → DER ECDSA-Sig-Value (OpenSSL), fixed AlgorithmIdentifier and SPKI prefixes.
#include "signature_der.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

#include "ike_auth.h"

namespace linkcrypt::custody {
namespace {

// RFC 8420 3: id-Ed25519 (no parameters); RFC 7427 A.3: ecdsa-with-SHA256.
constexpr uint8_t kAlgEd25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
constexpr uint8_t kAlgEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
// SubjectPublicKeyInfo headers up to the BIT STRING's content (RFC 8410 4, RFC 5480 2).
constexpr uint8_t kSpkiEd25519[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr uint8_t kSpkiP256[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

}  // namespace

std::optional<std::vector<uint8_t>> method14_auth(SignatureKind kind, std::span<const uint8_t> raw) {
  std::vector<uint8_t> out;
  if (kind == SignatureKind::Ed25519) {
    if (raw.size() != 64) return std::nullopt;
    out.push_back(sizeof kAlgEd25519);
    out.insert(out.end(), std::begin(kAlgEd25519), std::end(kAlgEd25519));
    out.insert(out.end(), raw.begin(), raw.end());
    return out;
  }
  if (kind == SignatureKind::RsaPss) {
    if (raw.size() < 256 || raw.size() > 512) return std::nullopt;
    const auto alg = ike::rsa_pss_sha256_algorithm_id();
    out.push_back(static_cast<uint8_t>(alg.size()));
    out.insert(out.end(), alg.begin(), alg.end());
    out.insert(out.end(), raw.begin(), raw.end());
    return out;
  }
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!sig) return std::nullopt;
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  out.push_back(sizeof kAlgEcdsaSha256);
  out.insert(out.end(), std::begin(kAlgEcdsaSha256), std::end(kAlgEcdsaSha256));
  out.insert(out.end(), der, der + len);
  OPENSSL_free(der);
  return out;
}

std::optional<std::vector<uint8_t>> spki_from_ec_point(SignatureKind kind, std::span<const uint8_t> point) {
  const size_t want = kind == SignatureKind::Ed25519 ? 32 : 65;
  // PKCS#11 2.40 says DER OCTET STRING; several modules give the raw point: accept both.
  if (point.size() == want + 2 && point[0] == 0x04 && point[1] == want) point = point.subspan(2);
  if (point.size() != want) return std::nullopt;
  if (kind == SignatureKind::EcdsaP256 && point[0] != 0x04) return std::nullopt;  // uncompressed only
  std::vector<uint8_t> out;
  if (kind == SignatureKind::Ed25519) {
    out.assign(std::begin(kSpkiEd25519), std::end(kSpkiEd25519));
  } else {
    out.assign(std::begin(kSpkiP256), std::end(kSpkiP256));
  }
  out.insert(out.end(), point.begin(), point.end());
  return out;
}

std::optional<std::vector<uint8_t>> spki_from_rsa(std::span<const uint8_t> modulus, std::span<const uint8_t> exponent) {
  if (modulus.empty() || exponent.empty() || modulus.size() > 1024 || exponent.size() > 8) return std::nullopt;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr), BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr), BN_free);
  if (!n || !e || BN_num_bits(n.get()) < 2048) return std::nullopt;
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return std::nullopt;
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                 EVP_PKEY_CTX_free);
  EVP_PKEY* raw_key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return std::nullopt;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw_key, EVP_PKEY_free);
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0) return std::nullopt;
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace linkcrypt::custody
