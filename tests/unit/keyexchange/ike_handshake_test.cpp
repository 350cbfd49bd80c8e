// IKE_SA_INIT + IKE_AUTH between two in-memory peers: success paths, retries and typed failures.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {

bool same(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() && (a.size() == 0 || CRYPTO_memcmp(a.view().data(), b.view().data(), a.size()) == 0);
}

// The dataplane view of a child SA must mirror exactly on the two sides.
void expect_mirror(const ChildKeysReady& x, const ChildKeysReady& y) {
  EXPECT_EQ(x.key_id, y.key_id);
  EXPECT_EQ(x.kind, y.kind);
  EXPECT_EQ(x.suite, y.suite);
  EXPECT_TRUE(same(x.outbound.key, y.inbound.key));
  EXPECT_TRUE(same(x.outbound.salt, y.inbound.salt));
  EXPECT_TRUE(same(x.inbound.key, y.outbound.key));
  EXPECT_TRUE(same(x.inbound.salt, y.outbound.salt));
  EXPECT_EQ(x.outbound.spi, y.inbound.spi);
  EXPECT_EQ(x.inbound.spi, y.outbound.spi);
  EXPECT_EQ(x.outbound.sci, y.inbound.sci);
  EXPECT_EQ(x.inbound.sci, y.outbound.sci);
  EXPECT_EQ(x.outbound.ssci, y.inbound.ssci);
  EXPECT_EQ(x.inbound.ssci, y.outbound.ssci);
  EXPECT_EQ(x.outbound.an, y.inbound.an);
  EXPECT_FALSE(same(x.outbound.key, x.inbound.key));  // each direction has its own SAK
}

// Delivers an IKE_SA_INIT answer, then runs the timer when it falls due: a COOKIE or
// INVALID_KE_PAYLOAD is acted on at the retransmission, not on arrival (RFC 7296 2.21.1).
Output answer_then_retransmit(Session& s, const std::vector<uint8_t>& answer, TimePoint t) {
  Output out = s.on_message(answer, t);
  EXPECT_TRUE(out.send.empty());
  const auto due = s.next_deadline();
  EXPECT_TRUE(due.has_value());
  return due ? s.on_timer(*due) : Output{};
}

bool both_up(SimNet& net) {
  return net.log(0).count<ChildKeysReady>() >= 1 && net.log(1).count<ChildKeysReady>() >= 1;
}

TEST(IkeHandshake, PskBringsUpIkeSaAndMacsecChildWithMirroredKeys) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  ASSERT_TRUE(net.a().established());
  ASSERT_NE(net.b(), nullptr);
  ASSERT_TRUE(net.b()->established());
  const auto* up = net.log(0).last<IkeUp>();
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->group, DhGroup::Curve25519);
  EXPECT_EQ(up->encr_key_bits, 256);
  EXPECT_EQ(up->peer_id.data, Identity::fqdn("b.linkcrypt.test").data);
  EXPECT_FALSE(up->nat_local);
  EXPECT_FALSE(up->nat_remote);
  const auto* ka = net.log(0).last<ChildKeysReady>();
  const auto* kb = net.log(1).last<ChildKeysReady>();
  expect_mirror(*ka, *kb);
  EXPECT_EQ(ka->suite, MacsecSuite::GcmAesXpn256);
  EXPECT_EQ(ka->outbound.key.size(), 32u);
  EXPECT_EQ(ka->outbound.salt.size(), 12u);
  EXPECT_EQ(ka->outbound.ssci, 1u);  // exchange initiator's SC
  EXPECT_EQ(kb->outbound.ssci, 2u);
  EXPECT_EQ(ka->outbound.sci, 0x020000000001'0001ULL);
  EXPECT_EQ(ka->inbound.sci, 0x020000000002'0001ULL);
  EXPECT_EQ(ka->outbound.an, 0);
  EXPECT_FALSE(ka->is_rekey);
  EXPECT_EQ(net.responder().half_open(), 0u);
}

class IkeGroups : public ::testing::TestWithParam<std::tuple<DhGroup, Prf, uint16_t>> {};

TEST_P(IkeGroups, EachGroupPrfAndKeySizeNegotiates) {
  auto [group, prf_id, bits] = GetParam();
  Config a = psk_config(Role::Initiator);
  a.ike_proposals = {IkeProposal{{bits}, {prf_id}, {group}}};
  a.child.macsec.suites = {MacsecSuite::GcmAes128};
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  const auto* up = net.log(1).last<IkeUp>();
  EXPECT_EQ(up->group, group);
  EXPECT_EQ(up->prf, prf_id);
  EXPECT_EQ(up->encr_key_bits, bits);
  const auto* ka = net.log(0).last<ChildKeysReady>();
  expect_mirror(*ka, *net.log(1).last<ChildKeysReady>());
  EXPECT_EQ(ka->suite, MacsecSuite::GcmAes128);
  EXPECT_EQ(ka->outbound.key.size(), 16u);
  EXPECT_EQ(ka->outbound.salt.size(), 0u);  // non-XPN suite: no salt
}

INSTANTIATE_TEST_SUITE_P(All, IkeGroups,
                         ::testing::Values(std::make_tuple(DhGroup::Curve25519, Prf::HmacSha2_256, uint16_t{128}),
                                           std::make_tuple(DhGroup::Ecp256, Prf::HmacSha2_384, uint16_t{256}),
                                           std::make_tuple(DhGroup::Ecp384, Prf::HmacSha2_512, uint16_t{256})));

TEST(IkeHandshake, EspChildForInteropGivesRfc4106KeyAndSalt) {
  Config a = psk_config(Role::Initiator);
  Config b = psk_config(Role::Responder);
  a.child.kind = b.child.kind = ChildKind::Esp;
  a.child.esp.aes_gcm16_key_bits = {256};
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  const auto* ka = net.log(0).last<ChildKeysReady>();
  expect_mirror(*ka, *net.log(1).last<ChildKeysReady>());
  EXPECT_EQ(ka->kind, ChildKind::Esp);
  EXPECT_EQ(ka->esp_key_bits, 256);
  EXPECT_EQ(ka->outbound.key.size(), 32u);
  EXPECT_EQ(ka->outbound.salt.size(), 4u);
}

TEST(IkeHandshake, InvalidKePayloadMakesInitiatorRetryWithResponderGroup) {
  Config a = psk_config(Role::Initiator);
  a.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Curve25519, DhGroup::Ecp384}}};
  Config b = psk_config(Role::Responder);
  b.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Ecp384}}};
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  const auto* retry = net.log(0).last<InvalidKeRetry>();
  ASSERT_NE(retry, nullptr);
  EXPECT_EQ(retry->requested, DhGroup::Ecp384);
  EXPECT_EQ(net.log(0).last<IkeUp>()->group, DhGroup::Ecp384);
  EXPECT_EQ(net.responder().counters().rejected, 1u);
}

TEST(IkeHandshake, CookieDemandedAboveHalfOpenThresholdAndHonoured) {
  ResponderLimits limits;
  limits.cookie_threshold = 0;  // every new IKE SA needs a cookie
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {}, 1, limits);
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<CookieRetry>(), 1u);
  EXPECT_EQ(net.responder().counters().cookies_sent, 1u);
  EXPECT_EQ(net.responder().counters().accepted, 1u);
}

TEST(IkeHandshake, CookieOnlyOnceHalfOpenSasExceedTheThreshold) {
  // Three initiators reach one responder whose threshold is two half-open IKE SAs: the third
  // must return a COOKIE (RFC 7296 2.6) and is then accepted.
  ResponderLimits limits;
  limits.cookie_threshold = 2;
  Responder responder(share(psk_config(Role::Responder)), limits);
  auto cfg = share(psk_config(Role::Initiator));
  const Endpoint from{{10, 0, 0, 1}, 500};
  std::vector<std::unique_ptr<Session>> initiators, accepted;
  size_t cookies = 0;
  for (int i = 0; i < 3; ++i) {
    initiators.push_back(std::make_unique<Session>(cfg));
    Output out = initiators.back()->start(TimePoint{});
    for (int round = 0; round < 3 && !out.send.empty(); ++round) {
      auto res = responder.on_init(out.send[0].bytes, from, TimePoint{});
      if (res.session) {
        accepted.push_back(std::move(res.session));
        initiators.back()->on_message(res.out.send[0].bytes, TimePoint{});  // sends IKE_AUTH; not delivered
        break;
      }
      ASSERT_EQ(res.out.send.size(), 1u);
      out = answer_then_retransmit(*initiators.back(), res.out.send[0].bytes, TimePoint{});
      for (const auto& e : out.events) cookies += std::holds_alternative<CookieRetry>(e);
    }
  }
  EXPECT_EQ(accepted.size(), 3u);
  EXPECT_EQ(cookies, 1u);
  EXPECT_EQ(responder.counters().cookies_sent, 1u);
  EXPECT_EQ(responder.half_open(), 3u);
  accepted.clear();  // half-open sessions that die release their slot
  EXPECT_EQ(responder.half_open(), 0u);
}

TEST(IkeHandshake, CookieSecretRotatesAndThePreviousOneStaysValidOnePeriod) {
  ResponderLimits limits;
  limits.cookie_threshold = 0;
  Responder responder(share(psk_config(Role::Responder)), limits);
  auto cfg = share(psk_config(Role::Initiator));
  const Endpoint from{{10, 0, 0, 1}, 500};
  // Returns the COOKIE reply to a fresh initiator's first message at `t`, and that initiator.
  auto first_try = [&](TimePoint t) {
    auto s = std::make_unique<Session>(cfg);
    Output out = s->start(t);
    auto res = responder.on_init(out.send[0].bytes, from, t);
    EXPECT_FALSE(res.session);
    return std::make_pair(std::move(s), std::move(res.out.send[0].bytes));
  };
  auto retry = [&](Session& s, const std::vector<uint8_t>& cookie_reply, TimePoint t) {
    Output out = answer_then_retransmit(s, cookie_reply, t);
    EXPECT_EQ(out.send.size(), 1u);
    return responder.on_init(out.send.at(0).bytes, from, t);
  };
  const TimePoint t0{};
  auto [s1, c1] = first_try(t0);
  auto [s1b, c1b] = first_try(t0);
  // Six minutes later the secret has rotated once: a first-generation cookie is still accepted.
  EXPECT_TRUE(retry(*s1, c1, t0 + Millis(6 * 60000)).session);
  auto [s2, c2] = first_try(t0 + Millis(6 * 60000));
  EXPECT_NE(c1[c1.size() - 33], c2[c2.size() - 33]);  // the version octet moved on
  // Twelve minutes: rotated again; the first generation is refused (and answered with a fresh
  // cookie), the second still works.
  auto refused = retry(*s1b, c1b, t0 + Millis(12 * 60000));
  EXPECT_FALSE(refused.session);
  EXPECT_EQ(responder.counters().cookie_invalid, 1u);
  EXPECT_TRUE(retry(*s2, c2, t0 + Millis(12 * 60000)).session);
}

TEST(IkeHandshake, WrongPskFailsOnBothSidesWithAuthenticationFailed) {
  SimNet net(share(psk_config(Role::Initiator, "one key")), share(psk_config(Role::Responder, "another key")), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_FALSE(net.log(1).last<Failed>()->by_peer);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
  EXPECT_TRUE(net.log(0).last<Failed>()->by_peer);
  EXPECT_EQ(net.log(0).count<ChildKeysReady>() + net.log(1).count<ChildKeysReady>(), 0u);
  EXPECT_EQ(net.a().state(), SessionState::Failed);
}

TEST(IkeHandshake, WrongPskFailsTypedOnBothSidesEvenOverALossyNetwork) {
  NetFaults f;
  f.drop = 0.3;
  f.duplicate = 0.2;
  f.max_delay = Millis(200);
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimNet net(share(psk_config(Role::Initiator, "one key")), share(psk_config(Role::Responder, "another key")), f,
               seed);
    net.start();
    ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }))
        << "seed " << seed;
    EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed) << "seed " << seed;
    EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::AuthenticationFailed) << "seed " << seed;
  }
}

TEST(IkeHandshake, WrongPeerIdentityIsRejected) {
  Config b = psk_config(Role::Responder);
  b.remote_id = Identity::fqdn("someone.else.test");
  SimNet net(share(psk_config(Role::Initiator)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }));
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::PeerIdMismatch);
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::AuthenticationFailed);
}

TEST(IkeHandshake, MismatchedIkeProposalsGiveNoProposalChosenWithBothOffers) {
  Config a = psk_config(Role::Initiator);
  a.ike_proposals = {IkeProposal{{128}, {Prf::HmacSha2_256}, {DhGroup::Curve25519}}};
  Config b = psk_config(Role::Responder);
  b.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_512}, {DhGroup::Curve25519}}};
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }));
  for (int p = 0; p < 2; ++p) {
    const Failed* f = net.log(p).last<Failed>();
    EXPECT_EQ(f->reason, FailReason::NoProposalChosen);
    ASSERT_TRUE(f->proposals.has_value());
    ASSERT_EQ(f->proposals->local_offer.size(), 1u);
    ASSERT_EQ(f->proposals->peer_offer.size(), 1u);
  }
  const Failed* fa = net.log(0).last<Failed>();
  EXPECT_EQ(fa->proposals->local_offer[0], "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519");
  EXPECT_EQ(fa->proposals->peer_offer[0], "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_512/CURVE_25519");
  const Failed* fb = net.log(1).last<Failed>();
  EXPECT_EQ(fb->proposals->peer_offer[0], "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519");
}

TEST(IkeHandshake, MismatchedChildProposalsGiveNoProposalChosenOnBothSides) {
  Config a = psk_config(Role::Initiator);
  a.child.macsec.suites = {MacsecSuite::GcmAes128};
  Config b = psk_config(Role::Responder);
  b.child.macsec.suites = {MacsecSuite::GcmAesXpn256};
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }));
  for (int p = 0; p < 2; ++p) {
    const Failed* f = net.log(p).last<Failed>();
    EXPECT_EQ(f->reason, FailReason::NoProposalChosen);
    ASSERT_TRUE(f->proposals.has_value());
  }
  EXPECT_EQ(net.log(0).last<Failed>()->proposals->local_offer[0], "MACSEC:GCM-AES-128");
  EXPECT_EQ(net.log(0).last<Failed>()->proposals->peer_offer[0], "MACSEC:GCM-AES-XPN-256");
}

TEST(IkeHandshake, UnreachablePeerEndsInPeerUnreachableAfterBackoff) {
  NetFaults f;
  f.drop = 1.0;
  Config a = psk_config(Role::Initiator);
  a.timers.retransmit_limit = 3;
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), f);
  const TimePoint t0 = net.now();
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() > 0; }));
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::PeerUnreachable);
  EXPECT_EQ(net.a().counters().tx_retransmits, 3u);
  EXPECT_EQ(net.sent(0).size(), 4u);
  // 500 ms, then 1 s, 2 s, 4 s: exponential back-off, simulated time.
  EXPECT_EQ(std::chrono::duration_cast<Millis>(net.now() - t0).count(), 500 + 1000 + 2000 + 4000);
}

TEST(IkeHandshake, NatDetectedWhenAddressesDoNotMatchAndTransportFloats) {
  Config a = psk_config(Role::Initiator);
  a.local = Endpoint{{192, 168, 1, 10}, 500};  // what we think we are; the responder sees 10.0.0.1
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<FloatToNatPort>(), 1u);
  EXPECT_EQ(net.log(1).count<FloatToNatPort>(), 1u);
  EXPECT_TRUE(net.log(0).last<IkeUp>()->nat_local);
  EXPECT_TRUE(net.log(1).last<IkeUp>()->nat_remote);
}

TEST(IkeHandshake, LossyNetworkStillComesUp) {
  NetFaults f;
  f.drop = 0.3;
  f.duplicate = 0.3;
  f.max_delay = Millis(300);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f, seed);
    net.start();
    ASSERT_TRUE(net.run_until([&] { return both_up(net); })) << "seed " << seed;
    expect_mirror(*net.log(0).last<ChildKeysReady>(), *net.log(1).last<ChildKeysReady>());
    EXPECT_EQ(net.log(1).count<ChildKeysReady>(), 1u) << "a duplicate must not create a second child";
  }
}

TEST(IkeHandshake, MalformedAndForgedInputIsCountedNotFatal) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  net.inject(0, {1, 2, 3});
  EXPECT_EQ(net.a().counters().rx_malformed, 1u);
  // A valid-looking request with a corrupted ICV is dropped and counted.
  auto msg = net.sent(1).back();
  msg.back() ^= 1;
  net.inject(0, msg);
  EXPECT_TRUE(net.a().established());
  EXPECT_GE(net.a().counters().rx_unexpected + net.a().counters().rx_decrypt_failed, 1u);
}

}  // namespace
}  // namespace linkcrypt::ike::test
