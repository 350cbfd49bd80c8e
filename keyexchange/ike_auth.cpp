// PSK and RFC 7427 signature AUTH payloads, raw public keys (RFC 7670) and CA-checked X.509.
#include "ike_auth.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "byte_reader.h"
#include "ike_crypto.h"

namespace linkcrypt::ike {

namespace {

using BioPtr = std::unique_ptr<BIO, FnDeleter<BIO_free>>;

// RFC 8420 3: id-Ed25519 AlgorithmIdentifier (no parameters).
constexpr uint8_t kAlgEd25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
// RFC 7427 A.3: ecdsa-with-SHA256.
constexpr uint8_t kAlgEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
// RFC 7427 3, RFC 4055 3.1: id-RSASSA-PSS with RSASSA-PSS-params {hashAlgorithm sha256,
// maskGenAlgorithm mgf1SHA256, saltLength 32}, trailerField default (omitted); the DER
// OpenSSL and strongSwan produce for these parameters.
constexpr uint8_t kAlgRsaPssSha256[] = {
    0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,  // id-RSASSA-PSS
    0x30, 0x34,                                                                    // params
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,  // [0] sha256
    0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,              // [1] mgf1
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,              //     sha256
    0xa2, 0x03, 0x02, 0x01, 0x20};                                                                        // [2] 32
constexpr int kRsaMinBits = 2048;

bool is_ed25519(EVP_PKEY* k) { return EVP_PKEY_is_a(k, "ED25519") == 1; }
bool is_p256(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "EC") != 1) return false;
  char name[32] = {};
  size_t len = 0;
  return EVP_PKEY_get_group_name(k, name, sizeof(name), &len) == 1 && std::string_view(name) == "prime256v1";
}
// An rsaEncryption or id-RSASSA-PSS key of at least 2048 bits; it signs with PSS only.
bool is_rsa(EVP_PKEY* k) {
  return (EVP_PKEY_is_a(k, "RSA") == 1 || EVP_PKEY_is_a(k, "RSA-PSS") == 1) && EVP_PKEY_get_bits(k) >= kRsaMinBits;
}
bool usable(EVP_PKEY* k) { return is_ed25519(k) || is_p256(k) || is_rsa(k); }

std::span<const uint8_t> algorithm_id(EVP_PKEY* k) {
  if (is_ed25519(k)) return kAlgEd25519;
  if (is_rsa(k)) return kAlgRsaPssSha256;
  return kAlgEcdsaSha256;
}

// RSASSA-PSS as kAlgRsaPssSha256 says: SHA-256, MGF1 with SHA-256, 32 octets of salt.
bool set_pss(EVP_PKEY_CTX* pctx) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(kRsaPssSaltLen)) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
}

}  // namespace

std::optional<std::vector<uint8_t>> build_signed_octets(Prf p, std::span<const uint8_t> real_message,
                                                        std::span<const uint8_t> peer_nonce,
                                                        std::span<const uint8_t> sk_p,
                                                        std::span<const uint8_t> id_body) {
  std::vector<uint8_t> out(real_message.begin(), real_message.end());
  out.insert(out.end(), peer_nonce.begin(), peer_nonce.end());
  const size_t base = out.size();
  out.resize(base + prf_len(p));
  if (!prf(p, sk_p, {id_body}, std::span<uint8_t>(out).subspan(base))) return std::nullopt;
  return out;
}

std::optional<std::vector<uint8_t>> build_psk_auth(Prf p, std::span<const uint8_t> psk,
                                                   std::span<const uint8_t> signed_octets) {
  static constexpr std::string_view kPad = "Key Pad for IKEv2";
  SecretBytes inner(prf_len(p));
  const std::span<const uint8_t> pad(reinterpret_cast<const uint8_t*>(kPad.data()), kPad.size());
  if (!prf(p, psk, {pad}, inner.mut())) return std::nullopt;
  std::vector<uint8_t> out(prf_len(p));
  if (!prf(p, inner.view(), {signed_octets}, out)) return std::nullopt;
  return out;
}

std::optional<SigningKey> SigningKey::from_pem(std::span<const uint8_t> pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || !usable(key.get())) return std::nullopt;
  return SigningKey(std::move(key));
}

std::optional<std::vector<uint8_t>> SigningKey::sign(std::span<const uint8_t> octets) const {
  const bool ed = is_ed25519(key_.get());
  const std::span<const uint8_t> alg = algorithm_id(key_.get());
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), &pctx, ed ? nullptr : "SHA256", nullptr, nullptr, key_.get(), nullptr) != 1)
    return std::nullopt;
  if (is_rsa(key_.get()) && !set_pss(pctx)) return std::nullopt;
  size_t sig_len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &sig_len, octets.data(), octets.size()) != 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(alg.size()));
  out.insert(out.end(), alg.begin(), alg.end());
  const size_t base = out.size();
  out.resize(base + sig_len);
  if (EVP_DigestSign(ctx.get(), out.data() + base, &sig_len, octets.data(), octets.size()) != 1) return std::nullopt;
  out.resize(base + sig_len);
  return out;
}

std::vector<uint8_t> SigningKey::public_key_der() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::span<const uint8_t> rsa_pss_sha256_algorithm_id() { return kAlgRsaPssSha256; }

EvpPkeyPtr parse_public_key_der(std::span<const uint8_t> spki) {
  const unsigned char* p = spki.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key || p != spki.data() + spki.size()) return nullptr;
  if (!usable(key.get())) return nullptr;
  return key;
}

bool verify_signature(EVP_PKEY* key, std::span<const uint8_t> auth_data, std::span<const uint8_t> octets) {
  ByteReader r(auth_data);
  uint8_t alg_len = 0;
  std::span<const uint8_t> alg;
  if (key == nullptr || !r.read_u8(alg_len) || !r.read_bytes(alg_len, alg)) return false;
  const std::span<const uint8_t> sig = r.rest();
  if (!usable(key)) return false;
  const bool ed = is_ed25519(key);
  const std::span<const uint8_t> want = algorithm_id(key);
  // RFC 7427 3: the AlgorithmIdentifier must name the algorithm of the peer's key (for RSA:
  // PSS with exactly the parameters we sign with; PKCS#1 v1.5 is not accepted).
  if (!std::equal(alg.begin(), alg.end(), want.begin(), want.end())) return false;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), &pctx, ed ? nullptr : "SHA256", nullptr, nullptr, key, nullptr) != 1)
    return false;
  if (is_rsa(key) && !set_pss(pctx)) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), octets.data(), octets.size()) == 1;
}

namespace {

bool cert_names(X509* cert, const Identity& id) {
  const std::string text(id.data.begin(), id.data.end());
  switch (id.type) {
    case IdType::Fqdn: return X509_check_host(cert, text.data(), text.size(), 0, nullptr) == 1;
    case IdType::Rfc822Addr: return X509_check_email(cert, text.data(), text.size(), 0) == 1;
    case IdType::Ipv4Addr:
    case IdType::Ipv6Addr: return X509_check_ip(cert, id.data.data(), id.data.size(), 0) == 1;
    case IdType::DerAsn1Dn: {
      unsigned char* der = nullptr;
      const int len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
      const bool same = len > 0 && static_cast<size_t>(len) == id.data.size() &&
                        std::equal(id.data.begin(), id.data.end(), der);
      OPENSSL_free(der);
      return same;
    }
    case IdType::KeyId: return false;  // an opaque ID cannot be bound to a certificate
  }
  return false;
}

}  // namespace

CertCheck verify_certificate(std::span<const uint8_t> cert_der, std::span<const uint8_t> ca_der,
                             std::optional<int64_t> check_time, const Identity& peer_id, EvpPkeyPtr& pub) {
  const unsigned char* p = cert_der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
  if (!cert || p != cert_der.data() + cert_der.size()) return CertCheck::BadEncoding;
  const unsigned char* q = ca_der.data();
  X509Ptr ca(d2i_X509(nullptr, &q, static_cast<long>(ca_der.size())));
  if (!ca) return CertCheck::Untrusted;
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
    return CertCheck::Untrusted;
  if (check_time) X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(*check_time));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) return CertCheck::Expired;
    return CertCheck::Untrusted;
  }
  if (!cert_names(cert.get(), peer_id)) return CertCheck::IdMismatch;
  pub.reset(X509_get_pubkey(cert.get()));
  if (!pub || !usable(pub.get())) return CertCheck::BadEncoding;
  return CertCheck::Ok;
}

}  // namespace linkcrypt::ike
