// Two in-memory IKE peers over a simulated network and clock that can drop, duplicate, delay, reorder.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "ike_session.h"

namespace linkcrypt::ike::test {

struct NetFaults {
  double drop = 0.0;       // probability a datagram is lost
  double duplicate = 0.0;  // probability it is delivered twice
  Millis min_delay{1};
  Millis max_delay{1};     // uniform delay; different delays reorder datagrams
};

// Everything one peer saw, in order.
struct PeerLog {
  std::vector<Event> events;
  template <typename T>
  size_t count() const {
    return static_cast<size_t>(std::count_if(events.begin(), events.end(),
                                             [](const Event& e) { return std::holds_alternative<T>(e); }));
  }
  template <typename T>
  const T* last() const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (const T* p = std::get_if<T>(&*it)) return p;
    return nullptr;
  }
};

class SimNet {
 public:
  // Peer 0 is the initiator (a Session), peer 1 the responder (a Responder that creates one).
  // The responder sees datagrams come from its configured remote address (a NAT in between
  // shows up as the initiator's own idea of its address differing from that).
  SimNet(std::shared_ptr<const Config> a, std::shared_ptr<const Config> b, NetFaults faults, uint64_t seed = 1,
         ResponderLimits limits = {})
      : faults_(faults), rng_(seed), responder_(b, limits), b_remote_(b->remote) {
    a_ = std::make_unique<Session>(std::move(a));
  }

  TimePoint now() const { return now_; }
  Session& a() { return *a_; }
  Session* b() { return b_.get(); }
  Responder& responder() { return responder_; }
  PeerLog& log(int peer) { return logs_[peer]; }
  NetFaults& faults() { return faults_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }
  // All datagrams each peer sent, in order (for seed corpora).
  const std::vector<std::vector<uint8_t>>& sent(int peer) const { return sent_[peer]; }

  void start() { take(0, a_->start(now_)); }
  void rekey_child(int peer) { take(peer, session(peer)->rekey_child(now_)); }
  void rekey_ike(int peer) { take(peer, session(peer)->rekey_ike(now_)); }
  void close(int peer) { take(peer, session(peer)->close(now_)); }
  Session* session(int peer) { return peer == 0 ? a_.get() : b_.get(); }

  // Runs events in time order until pred() holds or the simulated clock passes `limit`.
  template <typename Pred>
  bool run_until(Pred pred, Millis limit = Millis(600000)) {
    const TimePoint end = now_ + limit;
    while (!pred()) {
      std::optional<TimePoint> next;
      if (!queue_.empty()) next = queue_.begin()->first.first;
      for (int p = 0; p < 2; ++p)
        if (Session* s = session(p))
          if (auto d = s->next_deadline(); d && (!next || *d < *next)) next = *d;
      if (!next || *next > end) return pred();
      now_ = std::max(now_, *next);
      if (!queue_.empty() && queue_.begin()->first.first <= now_) {
        auto node = queue_.extract(queue_.begin());
        deliver(node.mapped().first, node.mapped().second);
        continue;
      }
      for (int p = 0; p < 2; ++p)
        if (Session* s = session(p))
          if (auto d = s->next_deadline(); d && *d <= now_) take(p, s->on_timer(now_));
    }
    return true;
  }

  bool in_flight() const { return !queue_.empty(); }

  // Delivers a datagram to a peer now, bypassing the network (tests of malformed input).
  void inject(int to, std::vector<uint8_t> bytes) { deliver(to, std::move(bytes)); }

 private:
  void take(int from, Output out) {
    for (auto& e : out.events) logs_[from].events.push_back(std::move(e));
    for (auto& d : out.send) {
      sent_[from].push_back(d.bytes);
      std::uniform_real_distribution<double> u(0.0, 1.0);
      if (u(rng_) < faults_.drop) {
        ++dropped_;
        continue;
      }
      const int copies = u(rng_) < faults_.duplicate ? 2 : 1;
      for (int i = 0; i < copies; ++i) {
        std::uniform_int_distribution<int64_t> delay(faults_.min_delay.count(), faults_.max_delay.count());
        queue_.emplace(std::make_pair(now_ + Millis(delay(rng_)), seq_++), std::make_pair(1 - from, d.bytes));
      }
    }
  }

  void deliver(int to, std::vector<uint8_t> bytes) {
    ++delivered_;
    if (to == 0) {
      take(0, a_->on_message(bytes, now_));
      return;
    }
    const auto h = peek_header(bytes);
    if (b_ && h && b_->owns(*h)) {
      take(1, b_->on_message(bytes, now_));
      return;
    }
    auto res = responder_.on_init(bytes, b_remote_, now_);
    if (res.session && !b_) b_ = std::move(res.session);
    take(1, std::move(res.out));
  }

  NetFaults faults_;
  std::mt19937_64 rng_;
  TimePoint now_{};
  std::unique_ptr<Session> a_;
  std::unique_ptr<Session> b_;
  Responder responder_;
  Endpoint b_remote_;
  std::map<std::pair<TimePoint, uint64_t>, std::pair<int, std::vector<uint8_t>>> queue_;
  uint64_t seq_ = 0;
  PeerLog logs_[2];
  std::vector<std::vector<uint8_t>> sent_[2];
  uint64_t delivered_ = 0, dropped_ = 0;
};

}  // namespace linkcrypt::ike::test
