// The controller's SIGHUP and SIGTERM entries (reload, close) and the levels and fields of its log events.
#include <gtest/gtest.h>

#include <algorithm>

#include "keying_harness.h"

namespace linkcrypt::keying::testing {
namespace {

using std::chrono::milliseconds;

ike::Config psk_config(const std::string& psk) {
  ike::Config c;
  c.auth.method = ike::AuthMethod::Psk;
  c.auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  c.timers.retransmit_base = ike::Millis(500);
  c.timers.retransmit_limit = 3;
  c.timers.dpd_interval = ike::Millis(2000);
  return c;
}

const LogEvent* find_event(const Side& s, const std::string& prefix) {
  const auto it = std::find_if(s.events->begin(), s.events->end(),
                               [&](const LogEvent& e) { return e.message.rfind(prefix, 0) == 0; });
  return it == s.events->end() ? nullptr : &*it;
}

std::string field(const LogEvent& e, const std::string& name) {
  for (const auto& f : e.fields) {
    if (f.name == name) return f.value;
  }
  return "<missing>";
}

bool secured(Pair& p) { return p.a.ctl->state() == LinkState::Secured && p.b.ctl->state() == LinkState::Secured; }

}  // namespace

TEST(KeyingReload, CloseSendsDeleteThePeerReportsIkeDeletedAndNobodyReconnects) {
  Pair p;
  p.run(milliseconds(10), 5, 10);
  ASSERT_TRUE(secured(p));
  const uint64_t connects = p.a.ctl->counters().connects;
  EXPECT_TRUE(p.a.ctl->close(p.now));
  EXPECT_FALSE(p.a.ctl->closed());  // until the peer answers
  p.pump();
  EXPECT_TRUE(p.a.ctl->closed());
  ASSERT_TRUE(p.b.ctl->peer().last_failure);
  EXPECT_EQ(p.b.ctl->peer().last_failure->cause, FailureCause{LinkLoss::IkeDeleted});
  EXPECT_TRUE(p.b.ctl->peer().last_failure->by_peer);
  p.run(milliseconds(100), 50);  // a closing initiator must not dial again
  EXPECT_EQ(p.a.ctl->counters().connects, connects);
  // The closing side's own link down is expected (notice), the peer's is not (warning).
  const LogEvent* mine = find_event(p.a, "link down: IkeDeleted");
  const LogEvent* theirs = find_event(p.b, "link down: IkeDeleted");
  ASSERT_TRUE(mine && theirs);
  EXPECT_EQ(mine->level, LogLevel::Notice);
  EXPECT_EQ(theirs->level, LogLevel::Warning);
  EXPECT_EQ(field(*theirs, "REASON"), "IkeDeleted");
  EXPECT_EQ(field(*theirs, "PEER"), "a.example");
}

TEST(KeyingReload, CloseWithoutAnIkeSaSendsNothing) {
  Pair p;  // never ticked: no IKE SA
  EXPECT_FALSE(p.a.ctl->close(p.now));
  EXPECT_TRUE(p.a.ctl->closed());
  EXPECT_TRUE(p.b.transport->inbox.empty());
}

TEST(KeyingReload, ReloadedPskServesTheNextHandshakeAndKeepsTheSa) {
  PairOptions o;
  o.psk_a = o.psk_b = "the old pre-shared key, 32 chars";
  Pair p(o);
  p.run(milliseconds(10), 5, 10);
  ASSERT_TRUE(secured(p));
  const auto key = p.a.ctl->tx_key_id();
  const std::string fresh = "the new pre-shared key, 32 chars";
  p.a.ctl->reload(KeyingPolicy{}, nullptr);  // policy only: credentials untouched
  const ike::Config creds = psk_config(fresh);
  p.a.ctl->reload(KeyingPolicy{}, &creds);
  p.run(milliseconds(10), 20, 10);
  EXPECT_TRUE(secured(p));
  EXPECT_EQ(p.a.ctl->tx_key_id(), key);  // no new handshake, no new keys

  // b restarts with the new key: a (the initiator) authenticates with its reloaded one.
  p.opts.psk_b = fresh;
  p.restart_b();
  const uint64_t established = p.a.ctl->counters().established;
  bool up = false;
  for (int i = 0; i < 400 && !up; ++i) {
    p.run(milliseconds(100), 1, 10);
    up = secured(p) && p.a.ctl->counters().established > established;
  }
  EXPECT_TRUE(up);  // a new IKE SA, authenticated with the reloaded key
  EXPECT_NE(p.a.ctl->tx_key_id(), key);
  EXPECT_EQ(find_event(p.a, "ike failure"), nullptr);
  EXPECT_EQ(find_event(p.b, "ike failure"), nullptr);
}

TEST(KeyingReload, WithoutTheReloadTheNewPeerKeyFailsAsAnError) {
  PairOptions o;
  o.psk_a = o.psk_b = "the old pre-shared key, 32 chars";
  Pair p(o);
  p.run(milliseconds(10), 5, 10);
  ASSERT_TRUE(secured(p));
  p.opts.psk_b = "the new pre-shared key, 32 chars";
  p.restart_b();
  const LogEvent* f = nullptr;
  for (int i = 0; i < 400 && f == nullptr; ++i) {
    p.run(milliseconds(100), 1, 10);
    f = find_event(p.b, "ike failure");
    if (f == nullptr) f = find_event(p.a, "ike failure");
  }
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->level, LogLevel::Error);  // never the level of "child SA installed"
  EXPECT_EQ(field(*f, "REASON"), "AuthenticationFailed");
}

TEST(KeyingReload, ReloadedRekeyIntervalAppliesAtOnce) {
  Pair p;  // default policy: one rotation an hour
  p.run(milliseconds(10), 5, 10);
  ASSERT_TRUE(secured(p));
  p.run(milliseconds(100), 30, 10);
  EXPECT_EQ(p.a.ctl->rotations().total(), 0u);
  KeyingPolicy faster;
  faster.rekey_interval = milliseconds(1000);
  p.a.ctl->reload(faster, nullptr);
  EXPECT_EQ(p.a.ctl->policy().rekey_interval, milliseconds(1000));
  p.run(milliseconds(100), 35, 10);
  EXPECT_GE(p.a.ctl->rotations().total(), 2u);
  EXPECT_TRUE(secured(p));
  EXPECT_EQ(p.a.ctl->rotations().records().front().reason, RotationReason::Interval);
}

TEST(KeyingReload, EventsCarryLevelsAndIdentifierFields) {
  Pair p;
  p.run(milliseconds(10), 5, 10);
  ASSERT_TRUE(secured(p));
  const LogEvent* installed = find_event(p.a, "child SA installed");
  ASSERT_NE(installed, nullptr);
  EXPECT_EQ(installed->level, LogLevel::Info);
  EXPECT_EQ(field(*installed, "KEY_ID").size(), 16u);
  EXPECT_NE(field(*installed, "AN"), "<missing>");
  EXPECT_EQ(field(*installed, "SCI").size(), 16u);
  const LogEvent* up = find_event(p.a, "ike SA established");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->level, LogLevel::Notice);
  EXPECT_EQ(field(*up, "PEER"), "b.example");
  // Key ids only: no message or field holds a SAK (hex, either case) or the PSK.
  std::vector<std::string> secrets{"correct horse"};
  auto add_hex = [&](const std::vector<uint8_t>& key) {
    static const char* digits[] = {"0123456789abcdef", "0123456789ABCDEF"};
    for (const char* d : digits) {
      std::string h;
      for (uint8_t b : key) h += {d[b >> 4], d[b & 15]};
      secrets.push_back(h);
    }
  };
  for (const auto& [an, sa] : p.a.sink->tx) add_hex(sa.sak);
  for (const auto& [k, sa] : p.a.sink->rx) add_hex(sa.sak);
  ASSERT_GE(secrets.size(), 5u);
  for (const auto& e : *p.a.events) {
    for (const auto& secret : secrets) {
      EXPECT_EQ(e.message.find(secret), std::string::npos) << e.message;
      for (const auto& f : e.fields) EXPECT_EQ(f.value.find(secret), std::string::npos) << f.name;
    }
  }
}

}  // namespace linkcrypt::keying::testing
