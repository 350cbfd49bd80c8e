// Two keychains on a simulated wire with a fake clock: CAK rollover with overlapping lifetimes loses
// no frame (at every step each side transmits with a SAK the other receives with), and the
// fallback CAK is used when the primary does not match.
#include "cak_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

namespace linkcrypt::mka {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> bytes(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

ChainKey key(uint8_t ckn, uint8_t cak, TimePoint start = TimePoint::min(), TimePoint end = TimePoint::max()) {
  ChainKey k;
  k.ckn = bytes(16, ckn);
  k.cak = SecretBytes(bytes(16, cak));
  k.start = start;
  k.end = end;
  return k;
}
ChainKey fallback(uint8_t ckn, uint8_t cak) {
  ChainKey k = key(ckn, cak);
  k.fallback = true;
  return k;
}

template <typename... Keys>
ChainConfig config(uint8_t id, Keys&&... keys) {
  ChainConfig c;
  c.base.own_mac = {0x02, 0, 0, 0, 0, id};
  c.base.sci = {0x02, 0, 0, 0, 0, id, 0, 1};
  (c.keys.push_back(std::forward<Keys>(keys)), ...);
  return c;
}

// What one side's dataplane holds: the SAKs it receives with and the one it transmits with.
struct Dataplane {
  std::vector<KeyIdentifier> rx;
  std::optional<KeyIdentifier> tx;
  std::vector<uint8_t> ans;  // AN of each rx key, same order
  std::vector<Failure> failures;
  bool has(const KeyIdentifier& id) const { return std::find(rx.begin(), rx.end(), id) != rx.end(); }
};

struct Side {
  CakChain chain;
  Dataplane dp;
  bool connected = true;
};

Side make(ChainConfig c) {
  auto chain = CakChain::create(std::move(c));
  EXPECT_TRUE(chain);
  return Side{std::move(*chain), {}, true};
}

struct Wire {
  Wire(Side& x, Side& y) : a(x), b(y) {}
  Side& a;
  Side& b;
  TimePoint now{};
  std::deque<std::pair<Side*, std::vector<uint8_t>>> in_flight;
  bool secured_once = false;
  int gaps = 0;  // steps after the first secured one where a side could not send to the other

  Side& other(Side& s) { return &s == &a ? b : a; }
  void apply(Side& self, std::vector<Event>& events) {
    for (auto& e : events) {
      if (auto* s = std::get_if<SendMkpdu>(&e)) {
        if (self.connected) in_flight.emplace_back(&other(self), std::move(s->frame));
      } else if (auto* r = std::get_if<InstallRxSak>(&e)) {
        // Two CAs' SAKs never share an AN on one SecY.
        for (size_t i = 0; i < self.dp.rx.size(); ++i)
          EXPECT_NE(self.dp.ans[i], r->an) << "AN " << int(r->an) << " already in use";
        self.dp.rx.push_back(r->id);
        self.dp.ans.push_back(r->an);
      } else if (auto* t = std::get_if<InstallTxSak>(&e)) {
        EXPECT_TRUE(self.dp.has(t->id));
        self.dp.tx = t->id;
      } else if (auto* x = std::get_if<RetireSak>(&e)) {
        const auto it = std::find(self.dp.rx.begin(), self.dp.rx.end(), x->id);
        ASSERT_NE(it, self.dp.rx.end());
        self.dp.ans.erase(self.dp.ans.begin() + (it - self.dp.rx.begin()));
        self.dp.rx.erase(it);
        if (self.dp.tx == x->id) self.dp.tx.reset();
      } else if (auto* f = std::get_if<Failure>(&e)) {
        self.dp.failures.push_back(*f);
      }
    }
    events.clear();
  }
  void deliver() {
    while (!in_flight.empty()) {
      auto [to, frame] = std::move(in_flight.front());
      in_flight.pop_front();
      std::vector<Event> ev;
      to->chain.receive(frame, now, ev);
      apply(*to, ev);
      check();  // after every MKPDU, not only every step: a gap inside one exchange counts too
    }
  }
  // Traffic both ways is possible: each side sends with a SAK the other receives with.
  bool flowing() const {
    return a.dp.tx && b.dp.tx && b.dp.has(*a.dp.tx) && a.dp.has(*b.dp.tx);
  }
  void check() {
    if (flowing()) secured_once = true;
    else if (secured_once) ++gaps;
  }
  void start() {
    for (Side* s : {&a, &b}) {
      std::vector<Event> ev;
      s->chain.start(now, ev);
      apply(*s, ev);
    }
    deliver();
    check();
  }
  void run_for(std::chrono::milliseconds d) {
    const TimePoint end = now + d;
    while (now < end) {
      now += 100ms;
      for (Side* s : {&a, &b}) {
        std::vector<Event> ev;
        if (s->chain.next_deadline() <= now) s->chain.tick(now, ev);
        apply(*s, ev);
        check();
      }
      deliver();
      check();
    }
  }
};

TEST(MkaCakChain, RolloverWithOverlappingLifetimesHasNoGap) {
  const TimePoint t0{};
  // CAK 1 until 30 s, CAK 2 from 10 s: 20 s of overlap. Both sides hold the same keychain.
  auto chain_of = [&](uint8_t id) { return config(id, key(0xA1, 0x11, t0, t0 + 30s), key(0xA2, 0x22, t0 + 10s)); };
  Side a = make(chain_of(1)), b = make(chain_of(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xA1));
  const KeyIdentifier first = *a.dp.tx;
  w.run_for(12s);  // to 15 s: CAK 2 started at 10 s and has taken over
  EXPECT_EQ(w.gaps, 0) << "a step without a SAK both sides can use";
  ASSERT_TRUE(w.flowing());
  EXPECT_NE(*a.dp.tx, first);
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xA2));
  EXPECT_EQ(b.chain.status().active_ckn, bytes(16, 0xA2));
  // The old CA is gone on both sides, with its SAK.
  EXPECT_EQ(a.chain.status().participants.size(), 1u);
  EXPECT_EQ(b.chain.status().participants.size(), 1u);
  EXPECT_FALSE(a.dp.has(first));
  EXPECT_FALSE(b.dp.has(first));
  EXPECT_EQ(a.chain.status().counters.rollovers, 1u);
  w.run_for(20s);  // past CAK 1's end: nothing changes
  EXPECT_EQ(w.gaps, 0);
  EXPECT_TRUE(w.flowing());
  EXPECT_TRUE(a.dp.failures.empty() && b.dp.failures.empty());
}

TEST(MkaCakChain, RolloverWhenOneSideStartsTheNewCakLater) {
  const TimePoint t0{};
  // b's clock (or its operator) is 4 s late with CAK 2; the overlap covers it.
  Side a = make(config(1, key(0xA1, 0x11, t0, t0 + 30s), key(0xA2, 0x22, t0 + 10s)));
  Side b = make(config(2, key(0xA1, 0x11, t0, t0 + 30s), key(0xA2, 0x22, t0 + 14s)));
  Wire w(a, b);
  w.start();
  w.run_for(25s);
  EXPECT_EQ(w.gaps, 0);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xA2));
  EXPECT_EQ(b.chain.status().active_ckn, bytes(16, 0xA2));
}

TEST(MkaCakChain, AKeyThatEndsWithoutASuccessorFailsClosed) {
  const TimePoint t0{};
  Side a = make(config(1, key(0xA1, 0x11, t0, t0 + 10s)));
  Side b = make(config(2, key(0xA1, 0x11, t0, t0 + 10s)));
  Wire w(a, b);
  w.start();
  w.run_for(5s);
  ASSERT_TRUE(w.flowing());
  w.run_for(6s);
  EXPECT_FALSE(a.dp.tx);
  EXPECT_TRUE(a.dp.rx.empty() && b.dp.rx.empty());
}

TEST(MkaCakChain, TheFallbackIsUsedWhenThePrimaryCakDiffers) {
  Side a = make(config(1, key(0xA1, 0x11), fallback(0xFB, 0x55)));
  Side b = make(config(2, key(0xA1, 0x12), fallback(0xFB, 0x55)));  // same CKN, another CAK
  Wire w(a, b);
  w.start();
  w.run_for(4s);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xFB));
  EXPECT_EQ(b.chain.status().active_ckn, bytes(16, 0xFB));
  EXPECT_EQ(a.chain.status().counters.fallback_activations, 1u);
  ASSERT_FALSE(a.dp.failures.empty());
  EXPECT_EQ(a.dp.failures[0].reason, MkaFailure::CakMismatch) << "the primary's mismatch is still reported";
  w.run_for(10s);
  EXPECT_EQ(w.gaps, 0);
}

TEST(MkaCakChain, TheFallbackIsUsedWhenThePrimaryCknDiffers) {
  Side a = make(config(1, key(0xA1, 0x11), fallback(0xFB, 0x55)));
  Side b = make(config(2, key(0xB1, 0x11), fallback(0xFB, 0x55)));
  Wire w(a, b);
  w.start();
  w.run_for(4s);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xFB));
  ASSERT_FALSE(b.dp.failures.empty());
  EXPECT_EQ(b.dp.failures[0].reason, MkaFailure::CknMismatch);
}

TEST(MkaCakChain, APrimaryThatComesUpLaterTakesOverFromTheFallbackWithoutAGap) {
  const TimePoint t0{};
  // a has the new primary from the start; b gets it at 12 s. Until then they meet on the fallback.
  Side a = make(config(1, key(0xA2, 0x22), fallback(0xFB, 0x55)));
  Side b = make(config(2, key(0xA1, 0x11, t0, t0 + 12s), key(0xA2, 0x22, t0 + 12s), fallback(0xFB, 0x55)));
  Wire w(a, b);
  w.start();
  w.run_for(8s);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xFB));
  w.run_for(12s);
  EXPECT_EQ(w.gaps, 0);
  ASSERT_TRUE(w.flowing());
  EXPECT_EQ(a.chain.status().active_ckn, bytes(16, 0xA2));
  EXPECT_EQ(b.chain.status().active_ckn, bytes(16, 0xA2));
  EXPECT_EQ(a.chain.status().participants.size(), 1u) << "the fallback CA is retired once the primary is in use";
}

TEST(MkaCakChain, RefusesABadKeychain) {
  EXPECT_FALSE(CakChain::create(config(1)));
  EXPECT_FALSE(CakChain::create(config(1, fallback(0xFB, 0x55)))) << "no primary";
  EXPECT_FALSE(CakChain::create(config(1, key(0xA1, 0x11), key(0xA1, 0x22)))) << "one CKN twice";
  EXPECT_FALSE(CakChain::create(config(1, key(0xA1, 0x11), fallback(0xF1, 0x55), fallback(0xF2, 0x55))));
  const TimePoint t0{};
  EXPECT_FALSE(CakChain::create(config(1, key(0xA1, 0x11, t0 + 5s, t0 + 5s)))) << "empty lifetime";
}

}  // namespace
}  // namespace linkcrypt::mka
