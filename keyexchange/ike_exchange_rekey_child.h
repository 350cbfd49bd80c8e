// CREATE_CHILD_SA rekeying the child SA as an exchange unit: request, answer, the peer's request, collision (RFC 7296 1.3.3, 2.8.1).
#pragma once

#include <cstdint>
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

// The peer's rekey of the same child, answered by us while ours was in flight (2.8.1).
struct PeerChildRekey {
  std::vector<uint8_t> ni, nr;
  uint32_t new_spi_in = 0;  // our inbound SPI of the child our answer created
};

// Our rekey of one child, from request to the deletes that finish it. The session sends it and
// owns the message window and retransmission; this holds the state between request and answer.
struct RekeyChildExchange {
  uint32_t child_spi = 0;      // the new child: our inbound SPI
  uint32_t old_child_spi = 0;  // the child being rekeyed (our inbound SPI)
  std::optional<DhKey> dh;     // PFS
  std::vector<uint8_t> nonce;
  std::vector<Proposal> offer;
  // The old child's AN and selectors, kept here because the peer may delete the old child
  // before our answer arrives.
  uint8_t old_an = 0;
  std::vector<TrafficSelector> old_ts_local, old_ts_remote;
  std::optional<PeerChildRekey> peer_rekey;

  // Build: rekeys child `old_spi` (0: the current one) unless it is already on its way out or
  // being rekeyed, and sends the request.
  static void start(ExchangeContext& ctx, uint32_t old_spi, TimePoint now, Output& out);
  // Process (responder): the peer's CREATE_CHILD_SA rekeying one of our children (REKEY_SA),
  // on the current, established IKE SA. Installs the new child as the old one's presumed
  // successor, or refuses (the IKE SA and the old child live on).
  static void answer_request(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid, Output& out);
  // Collision step, on the peer's side: we answered its rekey of the child ours rekeys.
  void note_peer_rekey(PeerChildRekey pr) { peer_rekey = std::move(pr); }
  // Process: the peer's answer installs the new child (or retries, or reports the refusal),
  // then resolves a collision and queues the Delete of the redundant or old child.
  void process_response(ExchangeContext& ctx, const Payloads& in, TimePoint now, Output& out);

 private:
  // Collision step, on our side (2.8.1): which of the two new children is redundant.
  void resolve_collision(ExchangeContext& ctx, std::span<const uint8_t> peer_nonce, TimePoint now, Output& out) const;
};

}  // namespace linkcrypt::ike
