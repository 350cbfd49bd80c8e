// Flood absorption: two keying controllers over in-band framing in memory, the responder's wire
// fed with replayed IKE_SA_INITs or junk; per second of the responder's CPU time, with the link
// checked alive (its liveness checks answered, same keys) at the end.
#include "flood_bench.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "inband_transport.h"
#include "keying_controller.h"
#include "kx_classify.h"

namespace linkcrypt::bench {
namespace {

using std::chrono::milliseconds;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// One end of the wire. Like dpdk::Dataplane: frames of the IKE SA the controller keys with take
// the priority queue (kxclass), junk is dropped, the rest queue behind; no token bucket, so the
// control plane sees every frame the classifier lets through.
class MemoryKxPort final : public transport::KxPort {
 public:
  explicit MemoryKxPort(uint8_t id) { mac_ = {0x02, 0, 0, 0, id, 1}; }
  MemoryKxPort* peer = nullptr;
  kxclass::KnownIkeSas known;
  uint64_t junk = 0;

  void deliver(std::vector<uint8_t> frame) {
    switch (kxclass::classify_kx_frame(frame, known)) {
      case kxclass::KxClass::KnownSa: priority_.push_back(std::move(frame)); break;
      case kxclass::KxClass::Junk: ++junk; break;
      default: low_.push_back(std::move(frame)); break;
    }
  }
  size_t receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) override {
    size_t n = 0;
    for (auto* q : {&priority_, &low_}) {
      while (n < max && !q->empty()) {
        out.push_back(std::move(q->front()));
        q->pop_front();
        ++n;
      }
    }
    return n;
  }
  bool send_frame(std::span<const uint8_t> frame) override {
    if (peer) peer->deliver({frame.begin(), frame.end()});
    return true;
  }
  [[nodiscard]] transport::MacAddress mac() const override { return mac_; }
  [[nodiscard]] size_t backlog() const { return low_.size(); }
  void drop_backlog() { low_.clear(); }

 private:
  transport::MacAddress mac_{};
  std::deque<std::vector<uint8_t>> priority_, low_;
};

class NullSink final : public keying::KeySink {
 public:
  void install_rx(const ike::ChildKeysReady&) override {}
  void install_tx(const ike::ChildKeysReady&) override {}
  bool switch_tx(uint8_t) override { return true; }
  void retire_tx(uint8_t) override {}
  void retire_rx(uint64_t, uint8_t) override {}
  [[nodiscard]] uint64_t rx_ok(uint64_t, uint8_t) const override { return 1; }  // switch at once
  [[nodiscard]] uint64_t tx_octets(uint8_t) const override { return 0; }
  [[nodiscard]] bool tx_threshold_reached() const override { return false; }
  [[nodiscard]] uint64_t drops() const override { return 0; }
};

struct Box {
  MemoryKxPort port;
  std::unique_ptr<transport::InbandTransport> transport;
  NullSink sink;
  std::unique_ptr<keying::KeyingController> ctl;
  explicit Box(uint8_t id) : port(id) {}
};

std::unique_ptr<Box> make_box(uint8_t id, bool initiator) {
  auto b = std::make_unique<Box>(id);
  b->transport = std::make_unique<transport::InbandTransport>(b->port, transport::kDefaultKxEtherType);
  auto cfg = std::make_shared<ike::Config>();
  cfg->local_id = ike::Identity::fqdn(initiator ? "a.bench" : "b.bench");
  cfg->remote_id = ike::Identity::fqdn(initiator ? "b.bench" : "a.bench");
  cfg->auth.method = ike::AuthMethod::Psk;
  const std::string psk = "benchmark pre-shared key";
  cfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  cfg->child.macsec.local_sci = uint64_t{id} << 16 | 1;
  // linkcryptd's defaults: a liveness check after 2 s idle, 3 retransmissions from 500 ms.
  cfg->timers.dpd_interval = milliseconds(2000);
  cfg->timers.retransmit_base = milliseconds(500);
  cfg->timers.retransmit_limit = 3;
  keying::KeyingSetup setup;
  setup.ike = cfg;
  setup.initiator = initiator;
  setup.unix_now = [] { return int64_t{1700000000}; };
  b->ctl = std::make_unique<keying::KeyingController>(std::move(setup), *b->transport, b->sink);
  return b;
}

struct Link {
  std::unique_ptr<Box> a = make_box(0x0a, true), b = make_box(0x0b, false);
  ike::TimePoint now = ike::TimePoint{} + std::chrono::hours(1);

  Link() {
    a->port.peer = &b->port;
    b->port.peer = &a->port;
  }
  void publish() {  // what KxGuard does in linkcryptd
    for (Box* x : {a.get(), b.get()}) {
      x->port.known = {};
      if (const auto s = x->ctl->ike_sa_spis()) {
        x->port.known.sas[0] = {s->first, s->second};
        x->port.known.count = 1;
      }
    }
  }
  double tick(milliseconds step) {  // returns B's CPU seconds in this tick
    now += step;
    a->ctl->tick(now);
    const double t0 = thread_cpu_s();
    b->ctl->tick(now);
    const double spent = thread_cpu_s() - t0;
    publish();
    return spent;
  }
  bool secured() const {
    return a->ctl->state() == keying::LinkState::Secured && b->ctl->state() == keying::LinkState::Secured;
  }
};

std::vector<uint8_t> eth_frame(const transport::MacAddress& src, std::span<const uint8_t> ike) {
  return transport::build_kx_frame(src, transport::kDefaultKxEtherType, ike);
}

// Runs `seconds` of simulated time at 10 ms ticks, `per_tick` frames from make() into B each
// tick. B's controller drains at most 64 frames a tick (keying_controller.cpp): the excess is
// dropped before the next tick, as the bounded low ring would. Prints frames/s of B's CPU.
template <typename Make>
void run(const char* what, int seconds, int per_tick, Make make) {
  Link l;
  for (int i = 0; i < 200 && !l.secured(); ++i) (void)l.tick(milliseconds(10));
  if (!l.secured()) {
    std::fprintf(stderr, "bench: the link did not come up\n");
    std::exit(1);
  }
  const auto key = l.b->ctl->tx_key_id();
  const uint64_t lost_before = l.b->ctl->counters().links_lost + l.a->ctl->counters().links_lost;
  const uint64_t rx_before = l.b->ctl->counters().rx_messages;
  const uint64_t junk_before = l.b->port.junk;
  const auto* rc = l.b->ctl->responder_counters();
  const uint64_t accepted_before = rc ? rc->accepted : 0;
  uint64_t offered = 0;
  double cpu = 0;
  std::vector<std::vector<uint8_t>> batch;
  for (int t = 0; t < seconds * 100; ++t) {
    l.b->port.drop_backlog();
    batch.clear();
    for (int i = 0; i < per_tick; ++i) batch.push_back(make(l, offered++));  // the attacker's work
    const double t0 = thread_cpu_s();
    for (auto& f : batch) l.b->port.deliver(std::move(f));  // the classifier (a worker's, in linkcryptd)
    cpu += thread_cpu_s() - t0;
    cpu += l.tick(milliseconds(10));
  }
  const uint64_t handled = l.b->ctl->counters().rx_messages - rx_before + (l.b->port.junk - junk_before);
  const bool alive = l.secured() && l.b->ctl->tx_key_id() == key &&
                     l.b->ctl->counters().links_lost + l.a->ctl->counters().links_lost == lost_before;
  std::printf("%-44s: %10.0f frames/s of one core; %llu offered, %llu handled in %d s; link %s; "
              "cookies sent %llu, DH spent %llu\n",
              what, cpu > 0 ? static_cast<double>(handled) / cpu : 0.0, static_cast<unsigned long long>(offered),
              static_cast<unsigned long long>(handled), seconds, alive ? "alive, same keys" : "LOST",
              static_cast<unsigned long long>(rc ? rc->cookies_sent : 0),
              static_cast<unsigned long long>(rc ? rc->accepted - accepted_before : 0));
  if (!alive) std::exit(1);
}

}  // namespace

void flood_bench(int scale) {
  std::printf("\nkey-exchange floods at the responder's control plane (in-band framing, COOKIEs from 2 half-open,\n"
              "64 frames per 10 ms tick; the workers' token bucket, kx-new-sa-rate, is left out: this is what\n"
              "one control-plane core absorbs). Liveness every 2 s idle; the link must survive.\n");
  const int secs = 30 * scale;
  std::vector<uint8_t> init;
  {
    // Box A's genuine INIT of a separate handshake: replayed bytes, exactly as caught on a wire.
    auto cfg = std::make_shared<ike::Config>();
    cfg->local_id = ike::Identity::fqdn("a.bench");
    const std::string psk = "x";
    cfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
    ike::Session s(cfg);
    init = s.start(ike::TimePoint{}).send.at(0).bytes;
  }
  run("replayed IKE_SA_INIT (one captured request)", secs, 64, [&](Link& l, uint64_t) {
    return eth_frame(l.a->port.mac(), init);
  });
  std::vector<std::vector<uint8_t>> inits;
  for (int i = 0; i < 256; ++i) {
    auto cfg = std::make_shared<ike::Config>();
    cfg->local_id = ike::Identity::fqdn("attacker.bench");
    const std::string psk = "x";
    cfg->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
    ike::Session s(cfg);
    inits.push_back(s.start(ike::TimePoint{}).send.at(0).bytes);
  }
  run("distinct IKE_SA_INITs (256 SPIs, cycled)", secs, 64, [&](Link& l, uint64_t n) {
    return eth_frame(l.a->port.mac(), inits[n % inits.size()]);
  });
  std::mt19937_64 rng(42);
  run("random 0x88B5 junk (dropped by the classifier)", secs, 5000, [&](Link& l, uint64_t) {
    std::vector<uint8_t> body(46 + rng() % 255);
    for (auto& x : body) x = static_cast<uint8_t>(rng());
    auto f = eth_frame(l.a->port.mac(), {});
    f.insert(f.end(), body.begin(), body.end());
    return f;
  });
  run("IKE-shaped junk (valid header, no IKE SA)", secs, 64, [&](Link& l, uint64_t) {
    std::vector<uint8_t> ike(28 + 64);
    for (auto& x : ike) x = static_cast<uint8_t>(rng());
    ike[17] = 0x20;
    ike[18] = 37;  // INFORMATIONAL
    ike[19] = 0x08;
    ike[24] = 0, ike[25] = 0, ike[26] = 0, ike[27] = static_cast<uint8_t>(ike.size());
    return eth_frame(l.a->port.mac(), ike);
  });
}

}  // namespace linkcrypt::bench
