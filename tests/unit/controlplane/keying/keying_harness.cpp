// The in-memory two-controller harness (see keying_harness.h).
#include "keying_harness.h"

#include <algorithm>

#include "ike_session.h"

namespace linkcrypt::keying::testing {

long OpLog::index_of(const std::string& op) const {
  const auto it = std::find(ops.begin(), ops.end(), op);
  return it == ops.end() ? -1 : static_cast<long>(it - ops.begin());
}

namespace {

std::string exchange_name(uint8_t exchange) {  // RFC 7296 3.1
  switch (exchange) {
    case 34: return "ike_sa_init";
    case 35: return "ike_auth";
    case 36: return "create_child_sa";
    case 37: return "informational";
  }
  return "exchange " + std::to_string(exchange);
}

}  // namespace

void MemoryTransport::send(const ike::Datagram& d) {
  if (ops != nullptr) {
    const auto h = ike::peek_header(d.bytes);
    const std::string what = !h ? "unparsable" : exchange_name(h->exchange);
    ops->ops.push_back(side + " sends " + what + (h && h->is_response ? " response" : " request"));
  }
  if (!cut && peer_inbox) peer_inbox->push_back(d.bytes);
}

size_t MemoryTransport::receive(std::vector<transport::InboundMessage>& out, size_t max) {
  size_t n = 0;
  while (n < max && !inbox.empty()) {
    out.push_back(transport::InboundMessage{std::move(inbox.front()), {}});
    inbox.pop_front();
    ++n;
  }
  return n;
}

void MemorySink::install_rx(const ike::ChildKeysReady& k) {
  const auto v = k.inbound.key.view();
  const auto salt = k.inbound.salt.view();
  rx[{k.inbound.sci, k.inbound.an}] = Sa{{v.begin(), v.end()}, k.inbound.sci, 0, 0, {salt.begin(), salt.end()}, k.inbound.ssci};
  log_.ops.push_back(name_ + " install_rx an=" + std::to_string(k.inbound.an));
}

void MemorySink::install_tx(const ike::ChildKeysReady& k) {
  const auto v = k.outbound.key.view();
  const auto salt = k.outbound.salt.view();
  tx[k.outbound.an] = Sa{{v.begin(), v.end()}, k.outbound.sci, 0, 0, {salt.begin(), salt.end()}, k.outbound.ssci};
  log_.ops.push_back(name_ + " install_tx an=" + std::to_string(k.outbound.an));
}

bool MemorySink::switch_tx(uint8_t an) {
  if (!tx.count(an)) return false;
  active = an;
  threshold = false;  // the new SA starts far below its rekey threshold
  log_.ops.push_back(name_ + " switch_tx an=" + std::to_string(an));
  return true;
}

void MemorySink::retire_tx(uint8_t an) {
  tx.erase(an);
  if (active == an) {
    active.reset();
    ++tx_gaps;
  }
  log_.ops.push_back(name_ + " retire_tx an=" + std::to_string(an));
}

void MemorySink::retire_rx(uint64_t sci, uint8_t an) {
  rx.erase({sci, an});
  log_.ops.push_back(name_ + " retire_rx an=" + std::to_string(an));
}

uint64_t MemorySink::rx_ok(uint64_t sci, uint8_t an) const {
  const auto it = rx.find({sci, an});
  return it == rx.end() ? 0 : it->second.ok;
}

uint64_t MemorySink::tx_octets(uint8_t an) const {
  const auto it = tx.find(an);
  return it == tx.end() ? 0 : it->second.octets;
}

void send_frames(MemorySink& from, MemorySink& to, uint64_t n) {
  if (n == 0) return;
  if (!from.active) {
    from.dropped += n;  // must-secure: no transmit SA, nothing in the clear
    return;
  }
  auto& t = from.tx.at(*from.active);
  t.octets += 100 * n;
  const auto it = to.rx.find({t.sci, *from.active});
  if (it == to.rx.end() || it->second.sak != t.sak || it->second.salt != t.salt || it->second.ssci != t.ssci) {
    to.dropped += n;  // InPktsNotUsingSA / InPktsNotValid
    return;
  }
  it->second.ok += n;
  to.delivered += n;
}

Pair::Pair(PairOptions o) : now(std::chrono::steady_clock::time_point{} + std::chrono::hours(1)), opts(std::move(o)) {
  a = make_side("a.example", "b.example", opts.psk_a, 0x02000000000a0001, true);
  b = make_side("b.example", "a.example", opts.psk_b, 0x02000000000b0001, false);
  connect();
}

Side Pair::make_side(const std::string& local, const std::string& peer, const std::string& psk,
                     uint64_t sci, bool initiator) {
  auto cfg = std::make_shared<ike::Config>();
  cfg->local_id = ike::Identity::fqdn(local);
  cfg->remote_id = ike::Identity::fqdn(peer);
  cfg->auth.method = ike::AuthMethod::Psk;
  cfg->auth.psk = SecretBytes(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(psk.data()), psk.size()));
  cfg->child.macsec.local_sci = sci;
  cfg->timers.retransmit_base = ike::Millis(500);
  cfg->timers.retransmit_limit = 3;
  cfg->timers.dpd_interval = ike::Millis(2000);
  Side s;
  s.ops = &ops;
  s.transport = std::make_unique<MemoryTransport>();
  s.transport->ops = &ops;
  s.transport->side = local.substr(0, 1);
  s.sink = std::make_unique<MemorySink>(local.substr(0, 1), ops);
  KeyingSetup setup;
  setup.ike = cfg;
  setup.initiator = initiator;
  setup.policy = opts.policy;
  setup.unix_now = [] { return int64_t{1700000000}; };
  setup.log = [lines = s.log, events = s.events](const LogEvent& e) {
    lines->push_back(e.message);
    events->push_back(e);
  };
  s.ctl = std::make_unique<KeyingController>(std::move(setup), *s.transport, *s.sink);
  return s;
}

void Pair::connect() {
  a.transport->peer_inbox = &b.transport->inbox;
  b.transport->peer_inbox = &a.transport->inbox;
}

void Pair::pump() {
  for (int i = 0; i < 100; ++i) {
    a.ctl->tick(now);
    b.ctl->tick(now);
    if (a.transport->inbox.empty() && b.transport->inbox.empty()) return;
  }
}

void Pair::run(ike::Millis step, int count, uint64_t frames) {
  for (int i = 0; i < count; ++i) {
    now += step;
    pump();
    send_frames(*a.sink, *b.sink, frames);
    send_frames(*b.sink, *a.sink, frames);
    pump();
  }
}

void Pair::restart_b() {
  b = make_side("b.example", "a.example", opts.psk_b, 0x02000000000b0001, false);
  connect();
}

}  // namespace linkcrypt::keying::testing
