// Two MkaControllers joined by an in-memory wire, each with the keying tests' in-memory SA table
// (which frames validate), on simulated time: keys in use, rotation without a lost frame, peer loss
// fails closed, a wrong CAK is a typed failure.
#include "mka_controller.h"

#include <gtest/gtest.h>

#include <deque>

#include "keying_harness.h"
#include "mka_failure.h"

namespace linkcrypt::mka_keying {
namespace {

using keying::testing::MemorySink;
using keying::testing::OpLog;
using keying::testing::send_frames;

class MemoryPort final : public transport::KxPort {
 public:
  std::deque<std::vector<uint8_t>> inbox;
  MemoryPort* peer = nullptr;
  bool cut = false;  // the cable is unplugged
  transport::MacAddress own{};
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override {
    size_t n = 0;
    while (n < max && !inbox.empty()) {
      out.push_back(std::move(inbox.front()));
      inbox.pop_front();
      ++n;
    }
    return n;
  }
  bool send_frame(std::span<const uint8_t> frame) override {
    if (!cut && peer) peer->inbox.emplace_back(frame.begin(), frame.end());
    return true;
  }
  [[nodiscard]] transport::MacAddress mac() const override { return own; }
};

SecretBytes cak_of(uint8_t fill) {
  SecretBytes s(16);
  for (auto& b : s.mut()) b = fill;
  return s;
}

struct Box {
  OpLog& log;
  MemoryPort port;
  MemorySink sink;
  std::unique_ptr<MkaController> ctl;
  Box(const std::string& name, OpLog& l, uint8_t id, uint8_t priority, uint8_t cak_fill, Clock::duration rekey,
      uint64_t suite, std::vector<mka::ChainKey> keys = {})
      : log(l), sink(name, l) {
    port.own = {0x02, 0, 0, 0, 0, id};
    MkaSetup s;
    s.participant.ckn = {0x01, 0x02, 0x03, 0x04};
    s.participant.cak = cak_of(cak_fill);
    s.participant.key_server_priority = priority;
    s.participant.own_mac = port.own;
    s.participant.sci = {0x02, 0, 0, 0, 0, id, 0, 1};
    s.participant.rekey_interval = std::chrono::duration_cast<mka::Millis>(rekey);
    s.participant.cipher_suite = suite;
    s.keys = std::move(keys);
    std::string err;
    ctl = MkaController::create(std::move(s), port, sink, err);
    EXPECT_TRUE(ctl) << err;
  }
};

struct Pair {
  OpLog log;
  Box a, b;
  Clock::time_point now{std::chrono::seconds(1000)};
  explicit Pair(uint8_t cak_b = 0x11, Clock::duration rekey = {}, uint64_t suite = mka::kGcmAes128)
      : a("a", log, 1, 1, 0x11, rekey, suite), b("b", log, 2, 2, cak_b, rekey, suite) {
    a.port.peer = &b.port;
    b.port.peer = &a.port;
    a.ctl->start(now);
    b.ctl->start(now);
  }
  // Advances time in 10 ms ticks (the event loop's), sending `frames` each way per tick.
  void run(Clock::duration d, uint64_t frames = 0) {
    for (auto end = now + d; now < end; now += std::chrono::milliseconds(10)) {
      a.ctl->tick(now);
      b.ctl->tick(now);
      send_frames(a.sink, b.sink, frames);
      send_frames(b.sink, a.sink, frames);
    }
  }
};

TEST(MkaController, BothSidesTransmitWithTheKeyServersSak) {
  Pair p;
  p.run(std::chrono::milliseconds(200));
  ASSERT_TRUE(p.a.sink.active && p.b.sink.active);
  EXPECT_TRUE(p.a.ctl->view().participant.key_server);
  EXPECT_EQ(p.a.sink.tx.at(*p.a.sink.active).sak, p.b.sink.tx.at(*p.b.sink.active).sak);
  const uint64_t before = p.b.sink.delivered;
  p.run(std::chrono::milliseconds(100), 5);
  EXPECT_EQ(p.b.sink.delivered - before, 50u);
  EXPECT_EQ(p.a.sink.dropped + p.b.sink.dropped, 0u);
  // Make before break: each side's receive SA was in place before the other switched to the SAK.
  EXPECT_LT(p.log.index_of("a install_rx an=0"), p.log.index_of("b switch_tx an=0"));
  EXPECT_LT(p.log.index_of("b install_rx an=0"), p.log.index_of("a switch_tx an=0"));
}

TEST(MkaController, RotationEveryTwoSecondsLosesNoFrame) {
  Pair p(0x11, std::chrono::seconds(2));
  p.run(std::chrono::milliseconds(200));
  ASSERT_TRUE(p.a.sink.active && p.b.sink.active);
  p.run(std::chrono::seconds(20), 3);
  EXPECT_GE(p.a.ctl->view().rotations, 10u);
  EXPECT_GE(p.b.ctl->view().rotations, 10u);
  EXPECT_EQ(p.a.sink.dropped + p.b.sink.dropped, 0u);
  EXPECT_EQ(p.a.sink.tx_gaps + p.b.sink.tx_gaps, 0u);
  EXPECT_LE(p.a.sink.rx.size(), 2u);  // old SAKs are retired, not piled up
}

// XPN: each transmit SA carries the SAK's salt and our SC's SSCI, and the other side's receive SA
// for our SC carries the same two (the in-memory SA table validates a frame only when SAK, salt
// and SSCI all match), through rotations too.
TEST(MkaController, XpnPairAgreesOnSaltAndSsci) {
  Pair p(0x11, std::chrono::seconds(2), mka::kGcmAesXpn256);
  p.run(std::chrono::milliseconds(200));
  ASSERT_TRUE(p.a.sink.active && p.b.sink.active);
  const auto& a_tx = p.a.sink.tx.at(*p.a.sink.active);
  const auto& b_tx = p.b.sink.tx.at(*p.b.sink.active);
  EXPECT_EQ(a_tx.salt.size(), 12u);
  EXPECT_EQ(a_tx.salt, b_tx.salt);  // one SAK, one salt
  EXPECT_NE(a_tx.ssci, 0u);
  EXPECT_NE(b_tx.ssci, 0u);
  EXPECT_NE(a_tx.ssci, b_tx.ssci);  // unique per SC in the CA
  const auto& b_rx_of_a = p.b.sink.rx.at({a_tx.sci, *p.a.sink.active});
  EXPECT_EQ(b_rx_of_a.ssci, a_tx.ssci);
  EXPECT_EQ(b_rx_of_a.salt, a_tx.salt);
  const auto& a_rx_of_b = p.a.sink.rx.at({b_tx.sci, *p.b.sink.active});
  EXPECT_EQ(a_rx_of_b.ssci, b_tx.ssci);
  EXPECT_EQ(p.a.ctl->view().cipher_suite, mka::kGcmAesXpn256);
  const uint64_t before = p.a.sink.delivered + p.b.sink.delivered;
  p.run(std::chrono::seconds(7), 3);
  EXPECT_GE(p.a.ctl->view().rotations, 3u);
  EXPECT_EQ(p.a.sink.delivered + p.b.sink.delivered - before, 2u * 700 * 3);
  EXPECT_EQ(p.a.sink.dropped + p.b.sink.dropped, 0u);
}

mka::ChainKey chain_key(std::vector<uint8_t> ckn, uint8_t cak_fill, bool fallback, Clock::time_point start,
                        Clock::time_point end) {
  mka::ChainKey k;
  k.ckn = std::move(ckn);
  k.cak = cak_of(cak_fill);
  k.fallback = fallback;
  k.start = start;
  k.end = end;
  return k;
}

struct ChainPair {
  OpLog log;
  Clock::time_point now{std::chrono::seconds(1000)};
  std::unique_ptr<Box> a, b;
  ChainPair(std::vector<mka::ChainKey> ka, std::vector<mka::ChainKey> kb) {
    a = std::make_unique<Box>("a", log, 1, 1, 0x11, Clock::duration{}, mka::kGcmAes128, std::move(ka));
    b = std::make_unique<Box>("b", log, 2, 2, 0x11, Clock::duration{}, mka::kGcmAes128, std::move(kb));
    a->port.peer = &b->port;
    b->port.peer = &a->port;
    a->ctl->start(now);
    b->ctl->start(now);
  }
  void run(Clock::duration d, uint64_t frames = 0) {
    for (auto end = now + d; now < end; now += std::chrono::milliseconds(10)) {
      a->ctl->tick(now);
      b->ctl->tick(now);
      send_frames(a->sink, b->sink, frames);
      send_frames(b->sink, a->sink, frames);
    }
  }
};

// A keychain rollover: the old CAK until t+10 s, the new one from t+3 s (the overlap an operator
// gives when the two ends are not updated at once): transmit moves to the new CA, the old one is
// retired, and no frame is lost.
TEST(MkaController, KeychainRolloverLosesNoFrame) {
  const Clock::time_point t{std::chrono::seconds(1000)};
  auto keys = [&] {
    std::vector<mka::ChainKey> k;
    k.push_back(chain_key({0x0a}, 0x11, false, Clock::time_point::min(), t + std::chrono::seconds(10)));
    k.push_back(chain_key({0x0b}, 0x22, false, t + std::chrono::seconds(3), Clock::time_point::max()));
    return k;
  };
  ChainPair p(keys(), keys());
  p.run(std::chrono::milliseconds(200));
  ASSERT_TRUE(p.a->sink.active && p.b->sink.active);
  EXPECT_EQ(p.a->ctl->view().ckn, std::vector<uint8_t>{0x0a});
  const uint64_t before = p.a->sink.delivered + p.b->sink.delivered;
  p.run(std::chrono::seconds(12), 3);
  const auto v = p.a->ctl->view();
  EXPECT_EQ(v.ckn, std::vector<uint8_t>{0x0b});
  EXPECT_FALSE(v.fallback);
  ASSERT_EQ(v.cas.size(), 1u);  // the old CA is gone
  EXPECT_GE(v.ca_rollovers, 1u);
  EXPECT_EQ(p.a->sink.delivered + p.b->sink.delivered - before, 2u * 1200 * 3);
  EXPECT_EQ(p.a->sink.dropped + p.b->sink.dropped, 0u);
  EXPECT_EQ(p.a->sink.tx_gaps + p.b->sink.tx_gaps, 0u);
}

// The primary CAKs differ (one end updated, the other not): the fallback CA secures the link and
// the view says so.
TEST(MkaController, FallbackSecuresWhenThePrimaryCaksDiffer) {
  auto keys = [](uint8_t primary_fill) {
    std::vector<mka::ChainKey> k;
    k.push_back(chain_key({0x0a}, primary_fill, false, Clock::time_point::min(), Clock::time_point::max()));
    k.push_back(chain_key({0x0f}, 0x33, true, Clock::time_point::min(), Clock::time_point::max()));
    return k;
  };
  ChainPair p(keys(0x11), keys(0x22));
  p.run(std::chrono::seconds(3));
  ASSERT_TRUE(p.a->sink.active && p.b->sink.active);
  const auto v = p.a->ctl->view();
  EXPECT_TRUE(v.secured);
  EXPECT_TRUE(v.fallback);
  EXPECT_EQ(v.ckn, std::vector<uint8_t>{0x0f});
  EXPECT_GE(v.fallback_activations, 1u);
  const uint64_t before = p.b->sink.delivered;
  p.run(std::chrono::milliseconds(100), 5);
  EXPECT_EQ(p.b->sink.delivered - before, 50u);
}

TEST(MkaController, PeerLossFailsClosed) {
  Pair p;
  p.run(std::chrono::milliseconds(200));
  ASSERT_TRUE(p.b.sink.active);
  p.a.port.cut = true;  // the key server goes silent
  p.run(std::chrono::seconds(7));
  EXPECT_FALSE(p.b.sink.active);
  EXPECT_TRUE(p.b.sink.rx.empty());
  const auto v = p.b.ctl->view();
  EXPECT_EQ(v.failure, std::string(kPeerLostName));
  EXPECT_TRUE(v.participant.key_server);  // the best remaining participant
}

TEST(MkaController, WrongCakIsATypedFailureAndNoKey) {
  Pair p(0x22);
  p.run(std::chrono::seconds(3));
  EXPECT_FALSE(p.a.sink.active);
  EXPECT_FALSE(p.b.sink.active);
  const auto v = p.a.ctl->view();
  ASSERT_TRUE(v.failure);
  EXPECT_EQ(*v.failure, "CakMismatch");
  EXPECT_EQ(v.failure_detail.value_or(""), "MKPDU ICV mismatch for CKN 01020304");
  EXPECT_TRUE(v.failure_hint);
}

TEST(MkaController, RekeyIsRefusedOffTheKeyServer) {
  Pair p;
  p.run(std::chrono::milliseconds(200));
  EXPECT_NE(p.b.ctl->rekey(p.now), "");
  EXPECT_EQ(p.a.ctl->rekey(p.now), "");
  p.run(std::chrono::milliseconds(200), 2);
  EXPECT_EQ(p.a.ctl->view().rotations, 2u);
  EXPECT_EQ(p.a.sink.dropped + p.b.sink.dropped, 0u);
}

}  // namespace
}  // namespace linkcrypt::mka_keying
