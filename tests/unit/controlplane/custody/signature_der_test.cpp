// A token's raw signatures become RFC 7427 AUTH data that the IKE verifier (and OpenSSL) accept.
#include "signature_der.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "ike_auth.h"

namespace linkcrypt::custody {
namespace {

TEST(SignatureDer, EcdsaRawRsBecomesAVerifiableEcdsaSigValue) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  const std::vector<uint8_t> octets(100, 0x5a);
  // What CKM_ECDSA returns: r||s of SHA-256(octets), 32 octets each.
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(octets.data(), octets.size(), digest);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  size_t der_len = 0;
  ASSERT_EQ(EVP_PKEY_sign(ctx, nullptr, &der_len, digest, sizeof digest), 1);
  std::vector<uint8_t> der(der_len);
  ASSERT_EQ(EVP_PKEY_sign(ctx, der.data(), &der_len, digest, sizeof digest), 1);
  EVP_PKEY_CTX_free(ctx);
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  ASSERT_NE(sig, nullptr);
  std::vector<uint8_t> raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
  ECDSA_SIG_free(sig);

  auto auth = method14_auth(SignatureKind::EcdsaP256, raw);
  ASSERT_TRUE(auth);
  unsigned char* spki = nullptr;
  const int spki_len = i2d_PUBKEY(key, &spki);
  ASSERT_GT(spki_len, 0);
  const std::vector<uint8_t> spki_der(spki, spki + spki_len);
  OPENSSL_free(spki);
  EXPECT_TRUE(ike::verify_signature(key, *auth, octets));
  // The SPKI rebuilt from the token's CKA_EC_POINT (DER OCTET STRING form) is OpenSSL's.
  std::vector<uint8_t> point(spki_der.end() - 65, spki_der.end());
  point.insert(point.begin(), {0x04, 0x41});
  EXPECT_EQ(spki_from_ec_point(SignatureKind::EcdsaP256, point), spki_der);
  auto tampered = raw;
  tampered[40] ^= 1;
  EXPECT_FALSE(ike::verify_signature(key, *method14_auth(SignatureKind::EcdsaP256, tampered), octets));
  EVP_PKEY_free(key);
}

TEST(SignatureDer, Ed25519PointInBothFormsAndWrongSizesRefused) {
  std::vector<uint8_t> raw(32, 7), wrapped{0x04, 0x20};
  wrapped.insert(wrapped.end(), raw.begin(), raw.end());
  auto a = spki_from_ec_point(SignatureKind::Ed25519, raw);
  ASSERT_TRUE(a);
  EXPECT_EQ(a, spki_from_ec_point(SignatureKind::Ed25519, wrapped));
  EXPECT_EQ(a->size(), 44u);
  EXPECT_FALSE(spki_from_ec_point(SignatureKind::Ed25519, std::vector<uint8_t>(31, 1)));
  EXPECT_FALSE(spki_from_ec_point(SignatureKind::EcdsaP256, std::vector<uint8_t>(65, 2)));  // not uncompressed
  EXPECT_FALSE(method14_auth(SignatureKind::Ed25519, std::vector<uint8_t>(63, 0)));
  EXPECT_FALSE(method14_auth(SignatureKind::EcdsaP256, std::vector<uint8_t>(65, 0)));
}

}  // namespace
}  // namespace linkcrypt::custody
