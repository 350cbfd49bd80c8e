// Test harness: two keying controllers joined by an in-memory transport, each with an in-memory
// SA table that models which frames validate (same SAK on both ends), on simulated time.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keying_controller.h"

namespace linkcrypt::keying::testing {

// Every SA-table operation of both sides, in order: proves make-before-break ordering.
struct OpLog {
  std::vector<std::string> ops;
  [[nodiscard]] long index_of(const std::string& op) const;
};

class MemoryTransport final : public transport::Transport {
 public:
  std::deque<std::vector<uint8_t>>* peer_inbox = nullptr;
  std::deque<std::vector<uint8_t>> inbox;
  bool cut = false;  // the cable is unplugged: everything sent is lost
  // When set, every message put on the wire is an op too ("b sends create_child_sa response"):
  // the peer may act on it at once, so what the sender had installed by then is what counts.
  OpLog* ops = nullptr;
  std::string side;

  void send(const ike::Datagram& d) override;
  size_t receive(std::vector<transport::InboundMessage>& out, size_t max) override;
  [[nodiscard]] std::string_view name() const override { return "memory"; }
  [[nodiscard]] transport::CounterList counters() const override { return {}; }
};

class MemorySink final : public KeySink {
 public:
  MemorySink(std::string name, OpLog& log) : name_(std::move(name)), log_(log) {}
  void install_rx(const ike::ChildKeysReady& k) override;
  void install_tx(const ike::ChildKeysReady& k) override;
  bool switch_tx(uint8_t an) override;
  void retire_tx(uint8_t an) override;
  void retire_rx(uint64_t sci, uint8_t an) override;
  [[nodiscard]] uint64_t rx_ok(uint64_t sci, uint8_t an) const override;
  [[nodiscard]] uint64_t tx_octets(uint8_t an) const override;
  [[nodiscard]] bool tx_threshold_reached() const override { return threshold; }
  [[nodiscard]] uint64_t drops() const override { return dropped; }

  struct Sa {
    std::vector<uint8_t> sak;
    uint64_t sci = 0;
    uint64_t ok = 0;
    uint64_t octets = 0;
    std::vector<uint8_t> salt;  // XPN suites: both ends must agree on it and on the SC's SSCI
    uint32_t ssci = 0;
  };
  std::map<uint8_t, Sa> tx;                       // by AN
  std::optional<uint8_t> active;                  // encodingSA
  std::map<std::pair<uint64_t, uint8_t>, Sa> rx;  // by (SCI, AN)
  bool threshold = false;
  // Times an operation left the side without an active transmit SA (must-secure: every frame
  // until the next switch is dropped), even when frames were not being sent at that moment.
  uint64_t tx_gaps = 0;
  uint64_t dropped = 0;
  uint64_t delivered = 0;

 private:
  std::string name_;
  OpLog& log_;
};

// Sends n frames of 100 octets from `from` to `to`: validated only when `to` holds a receive SA
// with the same SAK as `from`'s active transmit SA; otherwise dropped and counted on one side.
void send_frames(MemorySink& from, MemorySink& to, uint64_t n);

struct Side {
  OpLog* ops = nullptr;
  std::unique_ptr<MemoryTransport> transport;
  std::unique_ptr<MemorySink> sink;
  std::unique_ptr<KeyingController> ctl;
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::vector<LogEvent>> events = std::make_shared<std::vector<LogEvent>>();  // with levels and fields
};

struct PairOptions {
  std::string psk_a = "correct horse battery staple";
  std::string psk_b = "correct horse battery staple";
  KeyingPolicy policy;
};

class Pair {
 public:
  explicit Pair(PairOptions o = {});
  // Ticks both controllers until no message is in flight (simulated time does not move).
  void pump();
  // Advances time by `step` `count` times, pumping and exchanging `frames` each way per step.
  void run(ike::Millis step, int count, uint64_t frames = 0);
  void restart_b();

  OpLog ops;
  Side a, b;  // a: "a.example" (sorts lower: initiator), b: "b.example"
  ike::TimePoint now;
  PairOptions opts;

 private:
  Side make_side(const std::string& local, const std::string& peer, const std::string& psk,
                 uint64_t sci, bool initiator);
  void connect();
};

}  // namespace linkcrypt::keying::testing
