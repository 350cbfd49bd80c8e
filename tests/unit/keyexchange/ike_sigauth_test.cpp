// RFC 7427 signature authentication: Ed25519 / ECDSA P-256 / RSA-PSS raw public keys and CA-checked X.509.
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include "ike_auth.h"
#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {

struct Pair {
  Config a = psk_config(Role::Initiator);
  Config b = psk_config(Role::Responder);
};

Pair raw_key_pair(bool ed25519) {
  Pair p;
  auto ka = make_key(ed25519);
  auto kb = make_key(ed25519);
  for (Config* c : {&p.a, &p.b}) c->auth = AuthConfig{};
  p.a.auth.method = p.b.auth.method = AuthMethod::RawPublicKey;
  p.a.auth.private_key_pem = private_pem(ka.get());
  p.b.auth.private_key_pem = private_pem(kb.get());
  p.a.auth.peer_public_key_der = public_der(kb.get());
  p.b.auth.peer_public_key_der = public_der(ka.get());
  return p;
}

bool both_up(SimNet& net) {
  return net.log(0).count<ChildKeysReady>() == 1 && net.log(1).count<ChildKeysReady>() == 1;
}
bool both_failed(SimNet& net) { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }

TEST(IkeSigAuth, Ed25519RawPublicKeys) {
  Pair p = raw_key_pair(true);
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u);
}

TEST(IkeSigAuth, EcdsaP256RawPublicKeys) {
  Pair p = raw_key_pair(false);
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
}

EvpPkeyPtr make_rsa(unsigned bits = 2048) { return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{bits})); }

// RFC 4055 / RFC 7427: id-RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (trailer default).
const std::vector<uint8_t> kPssSha256Alg = {
    0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f,
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c,
    0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09,
    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};

TEST(IkeSigAuth, RsaPssRawPublicKeys) {
  Pair p;
  auto ka = make_rsa();
  auto kb = make_rsa();
  for (Config* c : {&p.a, &p.b}) c->auth = AuthConfig{};
  p.a.auth.method = p.b.auth.method = AuthMethod::RawPublicKey;
  p.a.auth.private_key_pem = private_pem(ka.get());
  p.b.auth.private_key_pem = private_pem(kb.get());
  p.a.auth.peer_public_key_der = public_der(kb.get());
  p.b.auth.peer_public_key_der = public_der(ka.get());
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u);
}

// The AUTH data: the PSS AlgorithmIdentifier, then a signature OpenSSL verifies with exactly
// those parameters (salt 32, not "auto"); a PKCS#1 v1.5 identifier or another salt is refused.
TEST(IkeSigAuth, RsaPssAuthDataIsRfc7427) {
  auto k = make_rsa();
  auto pem = private_pem(k.get());
  auto key = SigningKey::from_pem(pem.view());
  ASSERT_TRUE(key);
  const std::vector<uint8_t> octets(300, 0x5a);
  auto auth = key->sign(octets);
  ASSERT_TRUE(auth);
  ASSERT_GT(auth->size(), 1 + kPssSha256Alg.size());
  EXPECT_EQ((*auth)[0], kPssSha256Alg.size());
  EXPECT_TRUE(std::equal(kPssSha256Alg.begin(), kPssSha256Alg.end(), auth->begin() + 1));
  const std::span<const uint8_t> sig(auth->data() + 1 + kPssSha256Alg.size(), auth->size() - 1 - kPssSha256Alg.size());
  EXPECT_EQ(sig.size(), 256u);
  auto pss_verify = [&](int salt) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    EXPECT_EQ(EVP_DigestVerifyInit_ex(ctx.get(), &pctx, "SHA256", nullptr, nullptr, k.get(), nullptr), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), octets.data(), octets.size()) == 1;
  };
  EXPECT_TRUE(pss_verify(32));
  EXPECT_FALSE(pss_verify(20));
  auto pub = parse_public_key_der(public_der(k.get()));
  ASSERT_TRUE(pub);
  EXPECT_TRUE(verify_signature(pub.get(), *auth, octets));
  auto tampered = *auth;
  tampered.back() ^= 1;
  EXPECT_FALSE(verify_signature(pub.get(), tampered, octets));
  // sha256WithRSAEncryption (PKCS#1 v1.5) in place of the PSS identifier: refused.
  const std::vector<uint8_t> v15 = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
  std::vector<uint8_t> other{static_cast<uint8_t>(v15.size())};
  other.insert(other.end(), v15.begin(), v15.end());
  other.insert(other.end(), sig.begin(), sig.end());
  EXPECT_FALSE(verify_signature(pub.get(), other, octets));
  // An RSA key below 2048 bits is not a signing key.
  auto small = make_rsa(1024);
  EXPECT_FALSE(SigningKey::from_pem(private_pem(small.get()).view()));
  EXPECT_FALSE(parse_public_key_der(public_der(small.get())));
}

TEST(IkeSigAuth, WrongPublicKeyFailsOnBothSides) {
  for (int wrong_side = 0; wrong_side < 2; ++wrong_side) {
    Pair p = raw_key_pair(true);
    auto stranger = make_key(true);
    // One side expects a key the other does not hold.
    (wrong_side == 0 ? p.a : p.b).auth.peer_public_key_der = public_der(stranger.get());
    SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
    net.start();
    ASSERT_TRUE(net.run_until([&] { return both_failed(net); })) << "wrong side " << wrong_side;
    EXPECT_EQ(net.log(wrong_side).last<Failed>()->reason, FailReason::AuthenticationFailed);
    EXPECT_FALSE(net.log(wrong_side).last<Failed>()->by_peer);
    EXPECT_EQ(net.log(1 - wrong_side).last<Failed>()->reason, FailReason::AuthenticationFailed);
    EXPECT_TRUE(net.log(1 - wrong_side).last<Failed>()->by_peer);
  }
}

// A P-256 CA, and end-entity certificates for both peers (Ed25519 and P-256 keys).
struct Pki {
  EvpPkeyPtr ca_key = make_key(false);
  X509Ptr ca = make_cert(ca_key.get(), "linkcrypt test CA", nullptr, nullptr, -3600, 86400, true);
  EvpPkeyPtr other_ca_key = make_key(false);
  X509Ptr other_ca = make_cert(other_ca_key.get(), "some other CA", nullptr, nullptr, -3600, 86400, true);
};

Pair cert_pair(Pki& pki, bool a_ed25519, long a_not_after, bool a_from_other_ca) {
  Pair p;
  auto ka = make_key(a_ed25519);
  auto kb = make_key(false);
  X509* a_issuer = a_from_other_ca ? pki.other_ca.get() : pki.ca.get();
  EVP_PKEY* a_issuer_key = a_from_other_ca ? pki.other_ca_key.get() : pki.ca_key.get();
  auto ca_cert = make_cert(ka.get(), "a.linkcrypt.test", a_issuer, a_issuer_key, a_not_after - 90000, a_not_after, false);
  auto cb_cert = make_cert(kb.get(), "b.linkcrypt.test", pki.ca.get(), pki.ca_key.get(), -3600, 86400, false);
  for (Config* c : {&p.a, &p.b}) {
    c->auth = AuthConfig{};
    c->auth.method = AuthMethod::Certificate;
    c->auth.ca_cert_der = cert_der(pki.ca.get());
  }
  p.a.auth.private_key_pem = private_pem(ka.get());
  p.a.auth.local_cert_der = cert_der(ca_cert.get());
  p.b.auth.private_key_pem = private_pem(kb.get());
  p.b.auth.local_cert_der = cert_der(cb_cert.get());
  return p;
}

TEST(IkeSigAuth, X509CertificatesFromConfiguredCa) {
  Pki pki;
  for (bool ed : {true, false}) {
    Pair p = cert_pair(pki, ed, 86400, false);
    SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
    net.start();
    ASSERT_TRUE(net.run_until([&] { return both_up(net); })) << (ed ? "Ed25519" : "P-256");
  }
}

TEST(IkeSigAuth, ExpiredCertificateFailsTypedOnBothSides) {
  Pki pki;
  Pair p = cert_pair(pki, true, -60, false);  // expired a minute ago
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::CertificateExpired);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_TRUE(net.log(0).last<Failed>()->by_peer);
}

TEST(IkeSigAuth, CertificateCheckTimeIsAnInput) {
  Pki pki;
  Pair p = cert_pair(pki, true, -60, false);
  // Checked at a time when it was still valid: accepted.
  p.b.auth.cert_check_time = static_cast<int64_t>(time(nullptr)) - 3600;
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
}

TEST(IkeSigAuth, UntrustedCertificateFailsTypedOnBothSides) {
  Pki pki;
  Pair p = cert_pair(pki, false, 86400, true);  // issued by a CA the responder does not trust
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::CertificateUntrusted);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
}

TEST(IkeSigAuth, CertificateMustNameThePeersIdentity) {
  Pki pki;
  Pair p = cert_pair(pki, true, 86400, false);
  // A valid certificate from the right CA, but the initiator claims another identity.
  p.a.local_id = Identity::fqdn("mallory.linkcrypt.test");
  p.b.remote_id.reset();
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::PeerIdMismatch);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
}

TEST(IkeSigAuth, ResponderCertificateCheckedByInitiator) {
  Pki pki;
  Pair p = cert_pair(pki, false, 86400, false);
  // The initiator trusts only the other CA: the responder's certificate is untrusted to it.
  p.a.auth.ca_cert_der = cert_der(pki.other_ca.get());
  SimNet net(share(std::move(p.a)), share(std::move(p.b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::CertificateUntrusted);
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_TRUE(net.log(1).last<Failed>()->by_peer);
}

}  // namespace
}  // namespace linkcrypt::ike::test
