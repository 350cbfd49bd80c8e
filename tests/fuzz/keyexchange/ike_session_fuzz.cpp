// libFuzzer target: arbitrary decrypted payload chains delivered, correctly encrypted, to an established IKE SA.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ike_session_impl.h"

using namespace linkcrypt;
using namespace linkcrypt::ike;

namespace {

std::shared_ptr<const Config> config(Role role) {
  auto c = std::make_shared<Config>();
  c->role = role;
  c->local_id = Identity::fqdn(role == Role::Initiator ? "a" : "b");
  c->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("fuzz psk"), 8));
  c->ike_proposals = {IkeProposal{{128}, {Prf::HmacSha2_256}, {DhGroup::Curve25519}}};
  c->child.macsec.local_sci = role == Role::Initiator ? 1 : 2;
  c->timers.dpd_interval = Millis(0);
  return c;
}

struct Pair {
  std::unique_ptr<SessionImpl> side[2];
  TimePoint now{};

  // Delivers `out` from side `from` to the other side, and the answers back, a few rounds deep.
  void deliver(int from, Output out, int depth) {
    if (depth > 6) return;
    for (auto& d : out.send) {
      SessionImpl& to = *side[1 - from];
      deliver(1 - from, to.on_message(d.bytes, now), depth + 1);
    }
  }

  static std::unique_ptr<Pair> make() {
    auto p = std::make_unique<Pair>();
    static auto ca = config(Role::Initiator);
    static auto cb = config(Role::Responder);
    p->side[0] = std::make_unique<SessionImpl>(ca, Role::Initiator, ca->remote);
    Output out = p->side[0]->start(p->now);
    if (out.send.empty()) return nullptr;
    Message m;
    if (parse_message(out.send[0].bytes, m) != ParseError::Ok) return nullptr;
    p->side[1] = std::make_unique<SessionImpl>(cb, Role::Responder, ca->local);
    Output rb;
    if (!p->side[1]->on_init_request(out.send[0].bytes, m, p->now, rb)) return nullptr;
    p->deliver(1, std::move(rb), 0);
    if (p->side[0]->state_ != SessionState::Established || p->side[1]->state_ != SessionState::Established)
      return nullptr;
    return p;
  }
};

}  // namespace

// Input: [flags][first payload type][decrypted payload chain...]. flags bit 0: which side
// receives; bits 1-2: exchange (IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, CREATE_CHILD_SA);
// bit 3: response (matched to the receiver's outstanding request, if any).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Pair> pair;
  static size_t uses = 0;
  if (size < 2) return 0;
  if (!pair || ++uses > 2000 || pair->side[0]->state_ != SessionState::Established ||
      pair->side[1]->state_ != SessionState::Established) {
    pair = Pair::make();
    uses = 0;
    if (!pair) return 0;
  }
  const int to = data[0] & 1;
  static constexpr ExchangeType kEx[] = {ExchangeType::IkeAuth, ExchangeType::CreateChildSa,
                                         ExchangeType::Informational, ExchangeType::CreateChildSa};
  const ExchangeType ex = kEx[(data[0] >> 1) & 3];
  const bool response = (data[0] & 8) != 0;
  SessionImpl& rx = *pair->side[to];
  SessionImpl& tx = *pair->side[1 - to];
  uint32_t mid = rx.sas_.ike->peer_next_mid;
  if (response) mid = rx.sas_.ike->pending ? rx.sas_.ike->pending->mid : 0;
  if (response && !rx.sas_.ike->pending) {
    // Give the receiver something outstanding to answer: a child rekey.
    pair->deliver(to, rx.rekey_child(pair->now), 100);  // depth 100: sent, not delivered
    if (!rx.sas_.ike->pending) return 0;
    mid = rx.sas_.ike->pending->mid;
  }
  // The magic SPI c1c1c1c1 stands for the sender's live child, so REKEY_SA and Delete payloads
  // from the corpus name a child that exists.
  std::vector<uint8_t> chain(data + 2, data + size);
  const uint32_t child = tx.current_child_spi_for_test();
  for (size_t i = 0; i + 4 <= chain.size(); ++i) {
    if (chain[i] == 0xc1 && chain[i + 1] == 0xc1 && chain[i + 2] == 0xc1 && chain[i + 3] == 0xc1) {
      for (int k = 0; k < 4; ++k) chain[i + k] = static_cast<uint8_t>(child >> (24 - 8 * k));
      i += 3;
    }
  }
  const auto msg = tx.seal_raw_for_test(ex, response, mid, static_cast<PayloadType>(data[1]), chain);
  if (msg.empty()) return 0;
  pair->deliver(to, rx.on_message(msg, pair->now), 0);
  return 0;
}
