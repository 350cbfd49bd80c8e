// ECDSA r||s → DER ECDSA-Sig-Value (OpenSSL), fixed AlgorithmIdentifier and SPKI prefixes.
#include "signature_der.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

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

}  // namespace linkcrypt::custody
