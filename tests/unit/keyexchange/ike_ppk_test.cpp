// RFC 8784 PPKs between two in-memory sessions: required, optional with fallback, mismatch, unknown id, peer without PPK, rekeys.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {

constexpr std::string_view kPpkA = "0123456789abcdef0123456789abcdef-ppk-a";
constexpr std::string_view kPpkB = "fedcba9876543210fedcba9876543210-ppk-b";

Config with_ppk(Config c, std::string id, std::string_view value, bool required) {
  c.ppk.keys.push_back(Ppk{std::move(id), secret_of(value)});
  c.ppk.required = required;
  return c;
}

bool same(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.view().data(), b.view().data(), a.size()) == 0;
}

// Both sides have the first child with mirrored keys (they derived it from the same SK_d).
void expect_children_mirror(SimNet& net) {
  const auto* a = net.log(0).last<ChildKeysReady>();
  const auto* b = net.log(1).last<ChildKeysReady>();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(same(a->outbound.key, b->inbound.key));
  EXPECT_TRUE(same(a->inbound.key, b->outbound.key));
  EXPECT_TRUE(same(a->outbound.salt, b->inbound.salt));
}

bool both_up(SimNet& net) {
  return net.log(0).count<ChildKeysReady>() >= 1 && net.log(1).count<ChildKeysReady>() >= 1;
}

bool both_failed(SimNet& net) { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }

TEST(IkePpk, RequiredOnBothSidesProtectsTheSaWithThePpkId) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "site-ppk-1", kPpkA, true)),
             share(with_ppk(psk_config(Role::Responder), "site-ppk-1", kPpkA, true)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  for (int p = 0; p < 2; ++p) {
    const auto* up = net.log(p).last<IkeUp>();
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->ppk_id, "site-ppk-1");
    EXPECT_FALSE(up->ppk_fallback);
  }
  expect_children_mirror(net);
}

TEST(IkePpk, ChildAndIkeRekeysKeepMirroredKeysFromThePpkdSkd) {
  for (const Prf prf : {Prf::HmacSha2_256, Prf::HmacSha2_384, Prf::HmacSha2_512}) {
    Config a = with_ppk(psk_config(Role::Initiator), "rk", kPpkA, false);
    a.ike_proposals = {IkeProposal{{256}, {prf}, {DhGroup::Curve25519}}};
    SimNet net(share(std::move(a)), share(with_ppk(psk_config(Role::Responder), "rk", kPpkA, false)), {});
    net.start();
    ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
    EXPECT_EQ(net.log(0).last<IkeUp>()->ppk_id, "rk");
    net.rekey_child(0);
    ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildRekeyed>() && net.log(1).count<ChildRekeyed>(); }));
    expect_children_mirror(net);
    net.rekey_ike(1);
    ASSERT_TRUE(net.run_until([&] { return net.log(0).count<IkeRekeyed>() && net.log(1).count<IkeRekeyed>(); }));
    net.rekey_child(1);
    ASSERT_TRUE(net.run_until([&] {
      return net.log(0).count<ChildRekeyed>() >= 2 && net.log(1).count<ChildRekeyed>() >= 2;
    }));
    expect_children_mirror(net);
    EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u);
  }
}

TEST(IkePpk, OptionalInitiatorFallsBackWhenTheResponderHasNoPpk) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "opt", kPpkA, false)), share(psk_config(Role::Responder)),
             {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).last<IkeUp>()->ppk_id, "");
  EXPECT_TRUE(net.log(0).last<IkeUp>()->ppk_fallback);
  EXPECT_FALSE(net.log(1).last<IkeUp>()->ppk_fallback);  // it holds no PPK: nothing to fall back from
  expect_children_mirror(net);
}

TEST(IkePpk, OptionalResponderFallsBackWhenTheInitiatorHasNoPpk) {
  SimNet net(share(psk_config(Role::Initiator)), share(with_ppk(psk_config(Role::Responder), "opt", kPpkA, false)),
             {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_TRUE(net.log(1).last<IkeUp>()->ppk_fallback);
  EXPECT_EQ(net.log(1).last<IkeUp>()->ppk_id, "");
  expect_children_mirror(net);
}

TEST(IkePpk, UnknownIdWithBothOptionalUsesNoPpkAuth) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "id-one", kPpkA, false)),
             share(with_ppk(psk_config(Role::Responder), "id-two", kPpkB, false)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(net.log(p).last<IkeUp>()->ppk_id, "");
    EXPECT_TRUE(net.log(p).last<IkeUp>()->ppk_fallback);
  }
  expect_children_mirror(net);
}

TEST(IkePpk, ResponderHoldingTwoPpksAcceptsEitherDuringARotation) {
  Config b = with_ppk(psk_config(Role::Responder), "old", kPpkA, true);
  b.ppk.keys.push_back(Ppk{"new", secret_of(kPpkB)});
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "new", kPpkB, true)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(1).last<IkeUp>()->ppk_id, "new");
  expect_children_mirror(net);
}

TEST(IkePpk, UnknownIdFailsTypedWhenTheResponderRequiresAPpk) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "id-one", kPpkA, false)),
             share(with_ppk(psk_config(Role::Responder), "id-two", kPpkB, true)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::PpkUnknown);
  EXPECT_NE(net.log(1).last<Failed>()->detail.find("'id-one'"), std::string::npos);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_TRUE(net.log(0).last<Failed>()->by_peer);
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
}

TEST(IkePpk, UnknownIdFailsTypedWhenTheInitiatorRequiresAPpk) {
  // A required initiator sends no NO_PPK_AUTH: the responder cannot fall back.
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "id-one", kPpkA, true)),
             share(with_ppk(psk_config(Role::Responder), "id-two", kPpkB, false)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::PpkUnknown);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
}

TEST(IkePpk, MismatchedPpkValueFailsAuthentication) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "same-id", kPpkA, false)),
             share(with_ppk(psk_config(Role::Responder), "same-id", kPpkB, false)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_NE(net.log(0).last<Failed>()->detail.find("PPK 'same-id'"), std::string::npos);
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
}

TEST(IkePpk, RequiredResponderRefusesAnInitiatorWithoutPpk) {
  SimNet net(share(psk_config(Role::Initiator)), share(with_ppk(psk_config(Role::Responder), "req", kPpkA, true)),
             {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_failed(net); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::PpkRequired);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
}

TEST(IkePpk, RequiredInitiatorStopsBeforeIkeAuthWhenTheResponderHasNoPpk) {
  SimNet net(share(with_ppk(psk_config(Role::Initiator), "req", kPpkA, true)), share(psk_config(Role::Responder)),
             {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() > 0; }));
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::PpkRequired);
  EXPECT_EQ(net.sent(0).size(), 1u);  // IKE_SA_INIT only: our AUTH never leaves
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
}

TEST(IkePpk, SignatureAuthFallsBackThroughNoPpkAuth) {
  auto ka = make_key(true);
  auto kb = make_key(true);
  Config a = with_ppk(psk_config(Role::Initiator), "sig", kPpkA, false);
  Config b = psk_config(Role::Responder);
  a.auth.method = b.auth.method = AuthMethod::RawPublicKey;
  a.auth.private_key_pem = private_pem(ka.get());
  a.auth.peer_public_key_der = public_der(kb.get());
  b.auth.private_key_pem = private_pem(kb.get());
  b.auth.peer_public_key_der = public_der(ka.get());
  b = with_ppk(std::move(b), "other", kPpkB, false);
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_TRUE(net.log(1).last<IkeUp>()->ppk_fallback);
  expect_children_mirror(net);
}

}  // namespace
}  // namespace linkcrypt::ike::test
