// Issue 15 §2 at the controller: a flood of IKE_SA_INITs at the responder engages COOKIEs before
// the half-open limit, spends no Diffie-Hellman beyond the cookie threshold, and the IKE SA the
// link is keyed with lives on (its liveness checks are answered) with the same keys.
#include "keying_controller.h"

#include <gtest/gtest.h>

#include "keying_harness.h"

namespace linkcrypt::keying::testing {
namespace {

using std::chrono::milliseconds;

// A genuine IKE_SA_INIT request from a fresh initiator (a new SPIi each time), as an attacker
// replaying captured or crafted INITs would send.
std::vector<uint8_t> fresh_init(ike::TimePoint now) {
  auto cfg = std::make_shared<ike::Config>();
  cfg->local_id = ike::Identity::fqdn("attacker.example");
  cfg->auth.method = ike::AuthMethod::Psk;
  const std::string psk = "not the key";
  cfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  ike::Session s(cfg);
  ike::Output out = s.start(now);
  EXPECT_EQ(out.send.size(), 1u);
  return out.send.at(0).bytes;
}

TEST(KeyingFlood, DistinctInitsMeetCookiesBeforeTheHalfOpenLimit) {
  Pair p;
  p.run(milliseconds(10), 5, 10);
  ASSERT_EQ(p.b.ctl->state(), LinkState::Secured);
  const auto key = p.b.ctl->tx_key_id();
  const auto* rc = p.b.ctl->responder_counters();
  ASSERT_NE(rc, nullptr);
  const uint64_t accepted_before = rc->accepted;
  // 10 INITs every 10 ms for 12 s: past several liveness intervals (2 s) and retransmit limits.
  for (int tick = 0; tick < 1200; ++tick) {
    if (tick < 60 || tick % 10 == 0) {  // a fresh INIT costs the *attacker* a key pair: fewer later
      for (int i = 0; i < 10; ++i) p.b.transport->inbox.push_back(fresh_init(p.now));
    }
    p.run(milliseconds(10), 1, 10);
  }
  // The default limits (KeyingSetup): cookies from 2 half-open IKE SAs, refusal at 8.
  EXPECT_EQ(rc->accepted - accepted_before, 2u) << "each accepted INIT is a Diffie-Hellman";
  EXPECT_GT(rc->cookies_sent, 500u);
  EXPECT_EQ(rc->over_limit, 0u);
  EXPECT_EQ(p.b.ctl->state(), LinkState::Secured);
  EXPECT_EQ(p.a.ctl->state(), LinkState::Secured);
  EXPECT_EQ(p.b.ctl->tx_key_id(), key);
  EXPECT_EQ(p.a.ctl->counters().links_lost, 0u);
  EXPECT_EQ(p.b.ctl->counters().links_lost, 0u);
}

TEST(KeyingFlood, ReplayedInitIsAnsweredFromTheCacheNotRecomputed) {
  Pair p;
  p.run(milliseconds(10), 5, 10);
  const auto* rc = p.b.ctl->responder_counters();
  ASSERT_NE(rc, nullptr);
  const uint64_t accepted_before = rc->accepted;
  const uint64_t rx_before = p.b.ctl->counters().rx_messages;
  const std::vector<uint8_t> init = fresh_init(p.now);
  for (int tick = 0; tick < 300; ++tick) {
    for (int i = 0; i < 20; ++i) p.b.transport->inbox.push_back(init);
    p.run(milliseconds(10), 1, 10);
  }
  EXPECT_GE(p.b.ctl->counters().rx_messages - rx_before, 6000u);  // every copy was handled
  EXPECT_EQ(rc->accepted - accepted_before, 1u);  // one DH, then the cached response (RFC 7296 2.1)
  EXPECT_EQ(p.b.ctl->state(), LinkState::Secured);
  EXPECT_EQ(p.b.ctl->counters().links_lost, 0u);
}

// In-band, the sender's address is its source MAC (InbandTransport): a COOKIE handed to one MAC
// is refused from another, so an injector cannot reuse a cookie it saw sent to the real peer
// from a MAC of its own.
TEST(KeyingFlood, CookieIsBoundToTheSourceMac) {
  auto cfg = std::make_shared<ike::Config>();
  cfg->role = ike::Role::Responder;
  cfg->local_id = ike::Identity::fqdn("b.example");
  cfg->auth.method = ike::AuthMethod::Psk;
  const std::string psk = "k";
  cfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  ike::Responder responder(cfg, ike::ResponderLimits{0, 8});  // cookies always
  const ike::Endpoint mac_a{{2, 0, 0, 0, 0, 0xa}, 0};
  const ike::Endpoint mac_x{{2, 0, 0, 0, 0, 0xe}, 0};

  auto icfg = std::make_shared<ike::Config>();
  icfg->local_id = ike::Identity::fqdn("a.example");
  icfg->auth.method = ike::AuthMethod::Psk;
  icfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  ike::Session initiator(icfg);
  const ike::TimePoint now{};
  const ike::Output first = initiator.start(now);
  ASSERT_EQ(first.send.size(), 1u);
  ike::Responder::Result r = responder.on_init(first.send[0].bytes, mac_a, now);
  ASSERT_FALSE(r.session);
  ASSERT_EQ(r.out.send.size(), 1u);  // the COOKIE notify
  EXPECT_EQ(responder.counters().cookies_sent, 1u);
  // The initiator acts on the COOKIE when its retransmission falls due (RFC 7296 2.21.1: a genuine
  // answer arriving meanwhile would win): then it resends IKE_SA_INIT with the COOKIE first (2.6).
  (void)initiator.on_message(r.out.send[0].bytes, now);
  const auto due = initiator.next_deadline();
  ASSERT_TRUE(due);
  const ike::Output again = initiator.on_timer(*due);
  ASSERT_EQ(again.send.size(), 1u);

  r = responder.on_init(again.send[0].bytes, mac_x, now);  // the same bytes from another MAC
  EXPECT_FALSE(r.session);
  EXPECT_EQ(responder.counters().cookie_invalid, 1u);
  EXPECT_EQ(responder.counters().accepted, 0u);
  r = responder.on_init(again.send[0].bytes, mac_a, now);  // from the MAC it was given to
  EXPECT_TRUE(r.session);
  EXPECT_EQ(responder.counters().accepted, 1u);
}

// linkcryptd's option defaults (options.h) match these; the option check refuses a threshold at
// or above the limit (config_bad_input).
TEST(KeyingFlood, DefaultCookieThresholdIsBelowTheHalfOpenLimit) {
  EXPECT_EQ(KeyingSetup{}.responder_limits.cookie_threshold, 2u);
  EXPECT_EQ(KeyingSetup{}.responder_limits.half_open_limit, 8u);
  EXPECT_LT(KeyingSetup{}.responder_limits.cookie_threshold, KeyingSetup{}.responder_limits.half_open_limit);
}

TEST(KeyingFlood, IkeSaSpisNameTheKeyedSa) {
  Pair p;
  EXPECT_FALSE(p.b.ctl->ike_sa_spis());  // the responder has no IKE SA before the peer's INIT
  p.run(milliseconds(10), 5, 10);
  const auto a = p.a.ctl->ike_sa_spis();
  const auto b = p.b.ctl->ike_sa_spis();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(a->first, 0u);
  EXPECT_NE(a->second, 0u);
}

}  // namespace
}  // namespace linkcrypt::keying::testing
