// Configurations and key/certificate material for the in-memory IKE tests (generated at test time).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ike_session.h"
#include "openssl_handles.h"

namespace linkcrypt::ike::test {

inline SecretBytes secret_of(std::string_view s) {
  return SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

inline Config psk_config(Role role, std::string_view psk = "correct horse battery staple") {
  Config c;
  c.role = role;
  c.local_id = Identity::fqdn(role == Role::Initiator ? "a.linkcrypt.test" : "b.linkcrypt.test");
  c.remote_id = Identity::fqdn(role == Role::Initiator ? "b.linkcrypt.test" : "a.linkcrypt.test");
  c.auth.method = AuthMethod::Psk;
  c.auth.psk = secret_of(psk);
  if (role == Role::Responder)
    c.child.macsec.suites = {MacsecSuite::GcmAesXpn256, MacsecSuite::GcmAesXpn128, MacsecSuite::GcmAes256,
                             MacsecSuite::GcmAes128};
  c.child.macsec.local_sci = role == Role::Initiator ? 0x020000000001'0001ULL : 0x020000000002'0001ULL;
  c.local = Endpoint{{10, 0, 0, role == Role::Initiator ? uint8_t{1} : uint8_t{2}}, 500};
  c.remote = Endpoint{{10, 0, 0, role == Role::Initiator ? uint8_t{2} : uint8_t{1}}, 500};
  c.timers.retransmit_limit = 10;
  return c;
}

inline std::shared_ptr<const Config> share(Config c) { return std::make_shared<const Config>(std::move(c)); }

// ---- keys and certificates ------------------------------------------------------------------

using BioPtr = std::unique_ptr<BIO, FnDeleter<BIO_free>>;

inline EvpPkeyPtr make_key(bool ed25519) {
  return EvpPkeyPtr(ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

inline SecretBytes private_pem(EVP_PKEY* k) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)));
}

inline std::vector<uint8_t> public_der(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(k, &der);
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

inline std::vector<uint8_t> cert_der(X509* c) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(c, &der);
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// A certificate for `key` named `cn`, signed by issuer_key (self-signed when issuer is null),
// valid from now+not_before_s to now+not_after_s seconds.
inline X509Ptr make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long not_before_s,
                         long not_after_s, bool ca) {
  X509Ptr c(X509_new());
  X509_set_version(c.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), not_after_s);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  if (ca) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : c.get(), c.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(c.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  EVP_PKEY* signer = issuer_key ? issuer_key : key;
  const bool ed = EVP_PKEY_is_a(signer, "ED25519") == 1;
  X509_sign(c.get(), signer, ed ? nullptr : EVP_sha256());
  return c;
}

}  // namespace linkcrypt::ike::test
