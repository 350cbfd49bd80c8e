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
  Box(const std::string& name, OpLog& l, uint8_t id, uint8_t priority, uint8_t cak_fill, Clock::duration rekey)
      : log(l), sink(name, l) {
    port.own = {0x02, 0, 0, 0, 0, id};
    MkaSetup s;
    s.participant.ckn = {0x01, 0x02, 0x03, 0x04};
    s.participant.cak = cak_of(cak_fill);
    s.participant.key_server_priority = priority;
    s.participant.own_mac = port.own;
    s.participant.sci = {0x02, 0, 0, 0, 0, id, 0, 1};
    s.participant.rekey_interval = std::chrono::duration_cast<mka::Millis>(rekey);
    std::string err;
    ctl = MkaController::create(std::move(s), port, sink, err);
    EXPECT_TRUE(ctl) << err;
  }
};

struct Pair {
  OpLog log;
  Box a, b;
  Clock::time_point now{std::chrono::seconds(1000)};
  explicit Pair(uint8_t cak_b = 0x11, Clock::duration rekey = {})
      : a("a", log, 1, 1, 0x11, rekey), b("b", log, 2, 2, cak_b, rekey) {
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
