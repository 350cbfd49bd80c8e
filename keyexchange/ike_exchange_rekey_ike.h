// CREATE_CHILD_SA rekeying the IKE SA as an exchange unit: request, answer, the peer's request, collision (RFC 7296 1.3.2, 2.18, 2.8.2).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_proposals.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class ExchangeContext;
struct IkeSa;

// Our rekey of the IKE SA. The session sends it and owns the message window and
// retransmission; this holds the state between request and answer.
struct RekeyIkeExchange {
  uint64_t new_ike_spi = 0;
  std::optional<DhKey> dh;
  std::vector<uint8_t> nonce;
  std::vector<Proposal> offer;
  // A colliding peer IKE rekey we answered while this one was in flight (2.8.2).
  struct PeerIkeRekey {
    std::vector<uint8_t> ni, nr;
    IkeSa* created = nullptr;  // the IKE SA our answer created (owned by the session)
  };
  std::optional<PeerIkeRekey> peer_ike_rekey;

  // Build: rekeys the current IKE SA unless it is already being rekeyed or deleted.
  static void start(ExchangeContext& ctx, TimePoint now, Output& out);
  // Process (responder): the peer's CREATE_CHILD_SA rekeying the current, established IKE SA
  // (2.18). The new SA becomes current at once; the old one retires until the peer deletes it.
  static void answer_request(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid, Output& out);
  // Collision step, on the peer's side: we answered its rekey of the SA ours rekeys.
  void note_peer_rekey(PeerIkeRekey pr) { peer_ike_rekey = std::move(pr); }
  // Process: the answer on `sa` (the SA the request went out on) makes the new IKE SA current
  // and deletes the old one (2.18), or retries, or reports the refusal.
  void process_response(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, TimePoint now, Output& out);

 private:
  // Collision step, on our side (2.8.2): which of the two new IKE SAs is redundant.
  void resolve_collision(ExchangeContext& ctx, IkeSa& sa, std::unique_ptr<IkeSa> nsa, std::span<const uint8_t> peer_nonce,
                         TimePoint now, Output& out) const;
};

}  // namespace linkcrypt::ike
