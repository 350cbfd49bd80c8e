// CREATE_CHILD_SA and INFORMATIONAL between in-memory peers: 1,000 child rekeys, 100 IKE rekeys,
// collisions, delete and dead-peer detection, over a lossy, duplicating, reordering network.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <map>

#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {

bool same(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() && (a.size() == 0 || CRYPTO_memcmp(a.view().data(), b.view().data(), a.size()) == 0);
}

// Pairs every ChildKeysReady on one side with the other side's by key id and checks the keys
// mirror: A's outbound = B's inbound and the reverse, plus SPIs, SCIs, SSCIs and ANs.
size_t check_all_child_keys(PeerLog& a, PeerLog& b) {
  std::map<uint64_t, const ChildKeysReady*> bmap;
  for (const auto& e : b.events)
    if (const auto* k = std::get_if<ChildKeysReady>(&e)) bmap[k->key_id] = k;
  size_t matched = 0;
  for (const auto& e : a.events) {
    const auto* x = std::get_if<ChildKeysReady>(&e);
    if (x == nullptr) continue;
    auto it = bmap.find(x->key_id);
    EXPECT_NE(it, bmap.end()) << "child " << std::hex << x->key_id << " exists on one side only";
    if (it == bmap.end()) continue;
    const ChildKeysReady* y = it->second;
    EXPECT_TRUE(same(x->outbound.key, y->inbound.key));
    EXPECT_TRUE(same(x->outbound.salt, y->inbound.salt));
    EXPECT_TRUE(same(x->inbound.key, y->outbound.key));
    EXPECT_TRUE(same(x->inbound.salt, y->outbound.salt));
    EXPECT_EQ(x->outbound.spi, y->inbound.spi);
    EXPECT_EQ(x->outbound.ssci, y->inbound.ssci);
    EXPECT_EQ(x->outbound.sci, y->inbound.sci);
    EXPECT_EQ(x->outbound.an, y->inbound.an);
    EXPECT_EQ(x->inbound.an, y->outbound.an);
    EXPECT_EQ(x->pfs_group, y->pfs_group);
    ++matched;
  }
  EXPECT_EQ(matched, bmap.size());
  return matched;
}

TEST(IkeRekey, ThousandChildRekeysAndHundredIkeRekeysOverLossyNetwork) {
  NetFaults f;
  f.drop = 0.1;
  f.duplicate = 0.05;
  f.min_delay = Millis(1);
  f.max_delay = Millis(80);  // different delays reorder datagrams
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f, 7);
  net.start();
  ASSERT_TRUE(net.run_until([&] {
    return net.log(0).count<ChildKeysReady>() == 1 && net.log(1).count<ChildKeysReady>() == 1;
  }));
  size_t child_rekeys = 0, ike_rekeys = 0;
  for (int i = 0; i < 1000; ++i) {
    const int who = i % 2;  // both sides initiate rekeys
    const size_t before0 = net.log(0).count<ChildRekeyed>();
    const size_t before1 = net.log(1).count<ChildRekeyed>();
    net.rekey_child(who);
    ASSERT_TRUE(net.run_until([&] {
      return net.log(0).count<ChildRekeyed>() > before0 && net.log(1).count<ChildRekeyed>() > before1;
    })) << "child rekey " << i;
    ++child_rekeys;
    if (i % 10 == 9) {
      const size_t r0 = net.log(0).count<IkeRekeyed>();
      const size_t r1 = net.log(1).count<IkeRekeyed>();
      net.rekey_ike((i / 10) % 2);
      ASSERT_TRUE(net.run_until([&] {
        return net.log(0).count<IkeRekeyed>() > r0 && net.log(1).count<IkeRekeyed>() > r1;
      })) << "IKE rekey " << i / 10;
      ++ike_rekeys;
    }
  }
  ASSERT_TRUE(net.run_until([&] { return !net.in_flight(); }));
  EXPECT_EQ(child_rekeys, 1000u);
  EXPECT_EQ(ike_rekeys, 100u);
  EXPECT_TRUE(net.a().established());
  EXPECT_TRUE(net.b()->established());
  EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u);
  EXPECT_EQ(net.log(0).count<PeerDead>() + net.log(1).count<PeerDead>(), 0u);
  EXPECT_EQ(check_all_child_keys(net.log(0), net.log(1)), 1001u);
  EXPECT_GT(net.dropped(), 0u);
  EXPECT_GT(net.a().counters().tx_retransmits + net.b()->counters().tx_retransmits, 0u);
  // The newest child rotated its AN 1000 times: 1000 mod 4 == 0.
  EXPECT_EQ(net.log(0).last<ChildKeysReady>()->outbound.an, 1000 % 4);
  EXPECT_TRUE(net.log(0).last<ChildKeysReady>()->pfs_group.has_value());
}

TEST(IkeRekey, ChildRekeyWithoutPfsWhenDisabledOnBothSides) {
  Config a = psk_config(Role::Initiator);
  Config b = psk_config(Role::Responder);
  a.child.pfs_groups.clear();
  b.child.pfs_groups.clear();
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  net.rekey_child(0);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildRekeyed>() && net.log(1).count<ChildRekeyed>(); }));
  EXPECT_FALSE(net.log(0).last<ChildKeysReady>()->pfs_group.has_value());
  EXPECT_EQ(check_all_child_keys(net.log(0), net.log(1)), 2u);
}

// Both ends rekey the same child at once (RFC 7296 2.8.1); afterwards exactly one new child
// survives on both sides, with identical keys, and rekeying still works.
void run_child_rekey_collision(uint64_t seed, NetFaults f) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f, seed);
  net.start();
  ASSERT_TRUE(net.run_until([&] {
    return net.log(0).count<ChildKeysReady>() == 1 && net.log(1).count<ChildKeysReady>() == 1 && !net.in_flight();
  }));
  net.rekey_child(0);
  net.rekey_child(1);  // both start before either hears of the other
  // Two simulated minutes: every retransmission and delete has finished by then.
  net.run_until([] { return false; }, Millis(120000));
  check_all_child_keys(net.log(0), net.log(1));
  const size_t created0 = net.log(0).count<ChildKeysReady>();
  const size_t gone0 = net.log(0).count<ChildRekeyed>() + net.log(0).count<Deleted>();
  const size_t created1 = net.log(1).count<ChildKeysReady>();
  const size_t gone1 = net.log(1).count<ChildRekeyed>() + net.log(1).count<Deleted>();
  EXPECT_EQ(created0 - gone0, 1u) << "seed " << seed;
  EXPECT_EQ(created1 - gone1, 1u) << "seed " << seed;
  EXPECT_GE(net.log(0).count<ChildRekeyed>(), 1u) << "seed " << seed;
  const size_t before = net.log(1).count<ChildRekeyed>();
  net.rekey_child(0);
  ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildRekeyed>() > before; })) << "seed " << seed;
  EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u) << "seed " << seed;
}

TEST(IkeRekey, SimultaneousChildRekeysLeaveExactlyOneNewChild) {
  NetFaults f;
  f.max_delay = Millis(20);
  for (uint64_t seed = 1; seed <= 30; ++seed) run_child_rekey_collision(seed, f);
}

TEST(IkeRekey, SimultaneousChildRekeysOverLossyNetwork) {
  NetFaults f;
  f.drop = 0.1;
  f.duplicate = 0.2;
  f.max_delay = Millis(200);
  for (uint64_t seed = 1; seed <= 30; ++seed) run_child_rekey_collision(seed, f);
}

// Both ends rekey the IKE SA at once (RFC 7296 2.8.2): both end on the same surviving IKE SA,
// nothing fails, and children rekey on it with identical keys (same SK_d on both sides).
void run_ike_rekey_collision(uint64_t seed, NetFaults f) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f, seed);
  net.start();
  ASSERT_TRUE(net.run_until([&] {
    return net.log(0).count<ChildKeysReady>() == 1 && net.log(1).count<ChildKeysReady>() == 1 && !net.in_flight();
  }));
  const uint64_t old_spi_i = net.a().spi_i();
  net.rekey_ike(0);
  net.rekey_ike(1);
  net.run_until([] { return false; }, Millis(120000));
  EXPECT_GE(net.log(0).count<IkeRekeyed>(), 1u) << "seed " << seed;
  EXPECT_GE(net.log(1).count<IkeRekeyed>(), 1u) << "seed " << seed;
  EXPECT_NE(net.a().spi_i(), old_spi_i) << "seed " << seed;
  EXPECT_EQ(net.a().spi_i(), net.b()->spi_i()) << "seed " << seed;
  EXPECT_EQ(net.a().spi_r(), net.b()->spi_r()) << "seed " << seed;
  const size_t before = net.log(0).count<ChildRekeyed>();
  net.rekey_child(seed % 2);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildRekeyed>() > before; })) << "seed " << seed;
  net.run_until([] { return false; }, Millis(60000));
  check_all_child_keys(net.log(0), net.log(1));
  EXPECT_EQ(net.log(0).count<Failed>() + net.log(1).count<Failed>(), 0u) << "seed " << seed;
  EXPECT_EQ(net.log(0).count<PeerDead>() + net.log(1).count<PeerDead>(), 0u) << "seed " << seed;
  EXPECT_TRUE(net.a().established() && net.b()->established()) << "seed " << seed;
}

TEST(IkeRekey, SimultaneousIkeRekeysKeepOneIkeSa) {
  NetFaults f;
  f.max_delay = Millis(20);
  for (uint64_t seed = 1; seed <= 30; ++seed) run_ike_rekey_collision(seed, f);
}

TEST(IkeRekey, SimultaneousIkeRekeysOverLossyNetwork) {
  NetFaults f;
  f.drop = 0.1;
  f.duplicate = 0.2;
  f.max_delay = Millis(200);
  for (uint64_t seed = 1; seed <= 30; ++seed) run_ike_rekey_collision(seed, f);
}

TEST(IkeRekey, ChildRekeyRetriesWithTheGroupThePeerAsksFor) {
  Config a = psk_config(Role::Initiator);
  Config b = psk_config(Role::Responder);
  a.child.pfs_groups = {DhGroup::Curve25519, DhGroup::Ecp256};
  b.child.pfs_groups = {DhGroup::Ecp256};
  SimNet net(share(std::move(a)), share(std::move(b)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  net.rekey_child(0);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildRekeyed>() && net.log(1).count<ChildRekeyed>(); }));
  ASSERT_NE(net.log(0).last<InvalidKeRetry>(), nullptr);
  EXPECT_EQ(net.log(0).last<InvalidKeRetry>()->requested, DhGroup::Ecp256);
  EXPECT_EQ(net.log(0).last<ChildKeysReady>()->pfs_group, DhGroup::Ecp256);
  EXPECT_EQ(check_all_child_keys(net.log(0), net.log(1)), 2u);
}

TEST(IkeRekey, RekeyWithoutPfsRefusedByAPfsPeerButSaSurvives) {
  Config a = psk_config(Role::Initiator);
  a.child.pfs_groups.clear();
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  net.rekey_child(0);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() && net.log(1).count<Failed>(); }));
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::NoProposalChosen);
  EXPECT_TRUE(net.log(0).last<Failed>()->by_peer);
  EXPECT_EQ(net.log(1).last<Failed>()->reason, FailReason::NoProposalChosen);
  EXPECT_TRUE(net.a().established());
  EXPECT_TRUE(net.b()->established());
  // Both IKE SA and the old child stay up; no child was replaced.
  EXPECT_EQ(net.log(0).count<ChildRekeyed>() + net.log(1).count<ChildRekeyed>(), 0u);
}

TEST(IkeRekey, ReplayedOldRequestIsDroppedAndCounted) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  for (int i = 0; i < 3; ++i) {
    const size_t before = net.log(1).count<ChildRekeyed>();
    net.rekey_child(0);
    ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildRekeyed>() > before && !net.in_flight(); }));
  }
  // A's first CREATE_CHILD_SA request (message ID 2), replayed long after: outside the window.
  std::vector<uint8_t> old_request;
  for (const auto& m : net.sent(0)) {
    auto h = peek_header(m);
    if (h && h->exchange == 36 && !h->is_response && old_request.empty()) old_request = m;
  }
  ASSERT_EQ(peek_header(old_request)->message_id, 2u);
  ASSERT_FALSE(old_request.empty());
  const uint64_t unexpected = net.b()->counters().rx_unexpected;
  const size_t keys = net.log(1).count<ChildKeysReady>();
  net.inject(1, old_request);
  EXPECT_EQ(net.b()->counters().rx_unexpected, unexpected + 1);
  EXPECT_EQ(net.log(1).count<ChildKeysReady>(), keys);  // no child created from a replay
  EXPECT_FALSE(net.in_flight());                         // and nothing sent back
}

TEST(IkeRekey, LostAnswerToTheOldIkeSaDeleteIsResent) {
  // A rekeys the IKE SA and deletes the old one; B's answer to that Delete is lost, so A's
  // retransmission reaches B after B dropped the old SA: B still answers it (RFC 7296 2.1).
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  const uint64_t old_i = net.a().spi_i(), old_r = net.a().spi_r();
  net.rekey_ike(0);
  // Run until A sent the Delete on the old SA (already on the wire), then lose B's answer.
  ASSERT_TRUE(net.run_until([&] {
    for (const auto& m : net.sent(0)) {
      auto h = peek_header(m);
      if (h && h->spi_i == old_i && h->spi_r == old_r && h->exchange == 37 && !h->is_response) return true;
    }
    return false;
  }));
  net.faults().drop = 1.0;
  net.run_until([&] { return !net.in_flight(); });
  net.faults().drop = 0.0;
  const uint64_t answered = net.b()->counters().rx_retransmits;
  HeaderInfo probe{old_i, old_r, 37, false, true, 0};
  EXPECT_TRUE(net.b()->owns(probe));
  net.run_until([] { return false; }, Millis(20000));
  EXPECT_GT(net.b()->counters().rx_retransmits, answered);
  EXPECT_EQ(net.log(0).count<PeerDead>(), 0u);
  EXPECT_TRUE(net.a().established());
}

TEST(IkeRekey, HalfOpenResponderSaTimesOutAndFreesItsSlot) {
  Responder responder(share(psk_config(Role::Responder)));
  Session initiator(share(psk_config(Role::Initiator)));
  Output out = initiator.start(TimePoint{});
  auto res = responder.on_init(out.send[0].bytes, Endpoint{{10, 0, 0, 1}, 500}, TimePoint{});
  ASSERT_TRUE(res.session);
  EXPECT_EQ(responder.half_open(), 1u);
  // The initiator never sends IKE_AUTH.
  const auto deadline = res.session->next_deadline();
  ASSERT_TRUE(deadline);
  EXPECT_EQ(*deadline - TimePoint{}, Millis(30000));
  Output t = res.session->on_timer(*deadline);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(std::get<Failed>(t.events[0]).reason, FailReason::PeerUnreachable);
  EXPECT_EQ(responder.half_open(), 0u);
}

TEST(IkeRekey, DeleteFromEitherSideClosesBoth) {
  for (int closer = 0; closer < 2; ++closer) {
    SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
    net.start();
    ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
    net.close(closer);
    ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Deleted>() && net.log(1).count<Deleted>(); }));
    EXPECT_TRUE(net.log(closer).last<Deleted>()->ike);
    EXPECT_FALSE(net.log(closer).last<Deleted>()->by_peer);
    EXPECT_TRUE(net.log(1 - closer).last<Deleted>()->by_peer);
    EXPECT_EQ(net.a().state(), SessionState::Closed);
    EXPECT_EQ(net.b()->state(), SessionState::Closed);
  }
}

TEST(IkeRekey, LivenessCheckKeepsAnIdlePeerAndDetectsADeadOne) {
  Config a = psk_config(Role::Initiator);
  a.timers.dpd_interval = Millis(10000);
  a.timers.retransmit_limit = 4;
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  const TimePoint t0 = net.now();
  // Idle for five minutes of simulated time: empty INFORMATIONALs keep the SA alive.
  net.run_until([] { return false; }, Millis(300000));
  EXPECT_GE(net.now() - t0, Millis(290000));
  EXPECT_EQ(net.log(0).count<PeerDead>(), 0u);
  EXPECT_GE(net.b()->counters().rx_messages, 25u);
  // Now the peer vanishes: liveness checks go unanswered -> PeerDead.
  net.faults().drop = 1.0;
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<PeerDead>() == 1; }));
  EXPECT_EQ(net.a().state(), SessionState::Closed);
}

}  // namespace
}  // namespace linkcrypt::ike::test
