// PSK and RFC 7427 signature AUTH payloads, raw public keys (RFC 7670) and CA-checked X.509.
#include "ike_auth.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
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

bool is_ed25519(EVP_PKEY* k) { return EVP_PKEY_is_a(k, "ED25519") == 1; }
bool is_p256(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "EC") != 1) return false;
  char name[32] = {};
  size_t len = 0;
  return EVP_PKEY_get_group_name(k, name, sizeof(name), &len) == 1 && std::string_view(name) == "prime256v1";
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
  if (!key || !(is_ed25519(key.get()) || is_p256(key.get()))) return std::nullopt;
  return SigningKey(std::move(key));
}

std::optional<std::vector<uint8_t>> SigningKey::sign(std::span<const uint8_t> octets) const {
  const bool ed = is_ed25519(key_.get());
  const std::span<const uint8_t> alg = ed ? std::span<const uint8_t>(kAlgEd25519) : std::span<const uint8_t>(kAlgEcdsaSha256);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, ed ? nullptr : "SHA256", nullptr, nullptr, key_.get(), nullptr) != 1)
    return std::nullopt;
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

EvpPkeyPtr parse_public_key_der(std::span<const uint8_t> spki) {
  const unsigned char* p = spki.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key || p != spki.data() + spki.size()) return nullptr;
  if (!is_ed25519(key.get()) && !is_p256(key.get())) return nullptr;
  return key;
}

bool verify_signature(EVP_PKEY* key, std::span<const uint8_t> auth_data, std::span<const uint8_t> octets) {
  ByteReader r(auth_data);
  uint8_t alg_len = 0;
  std::span<const uint8_t> alg;
  if (key == nullptr || !r.read_u8(alg_len) || !r.read_bytes(alg_len, alg)) return false;
  const std::span<const uint8_t> sig = r.rest();
  const bool ed = is_ed25519(key);
  const std::span<const uint8_t> want = ed ? std::span<const uint8_t>(kAlgEd25519) : std::span<const uint8_t>(kAlgEcdsaSha256);
  // RFC 7427 3: the AlgorithmIdentifier must name the algorithm of the peer's key.
  if (!std::equal(alg.begin(), alg.end(), want.begin(), want.end())) return false;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, ed ? nullptr : "SHA256", nullptr, nullptr, key, nullptr) != 1)
    return false;
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
  if (!pub || !(is_ed25519(pub.get()) || is_p256(pub.get()))) return CertCheck::BadEncoding;
  return CertCheck::Ok;
}

}  // namespace linkcrypt::ike
