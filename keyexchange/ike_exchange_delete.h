// INFORMATIONAL Delete as exchange units: one child SA, or the IKE SA, both roles; the peer's INFORMATIONAL requests (RFC 7296 1.4.1).
#pragma once

#include <cstdint>
#include <vector>

#include "ike_codec.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class ExchangeContext;
struct ChildSa;
struct IkeSa;

// Deleting one child SA: the request, its answer, and the peer's Delete crossing ours.
struct DeleteChildExchange {
  uint32_t old_child_spi = 0;  // our inbound SPI of the child being deleted

  // Build: marks child `spi_in` as deleting and sends its Delete; nothing when there is nothing
  // to delete (unknown, or already on its way out).
  static void start(ExchangeContext& ctx, uint32_t spi_in, TimePoint now, Output& out);
  // Process: the peer acknowledged; the child is gone, reported as rekeyed (it has a successor) or deleted.
  void process_response(ExchangeContext& ctx, Output& out) const;
  // Process (responder): the peer's Delete of child SAs; each is removed and reported.
  // Collision step: the answer names our inbound SPIs, except of children we are deleting
  // ourselves (both Deletes crossed, 1.4.1: each side answers without the SPI it already asked
  // to delete).
  static void answer_peer_delete(ExchangeContext& ctx, const DeletePayload& d, ChainBuilder& answer, Output& out);
};

// Deleting an IKE SA: the current one (closing the session) or one on its way out (after a
// rekey, 2.18, or a redundant one after a 2.8.2 collision).
struct DeleteIkeExchange {
  // Build: marks `sa` as deleting and sends its Delete; nothing if it is already deleting.
  static void start(ExchangeContext& ctx, IkeSa& sa, TimePoint now, Output& out);
  // Process: the peer acknowledged. A retiring SA is gone; for the current SA the session is
  // closed (Deleted reported).
  void process_response(ExchangeContext& ctx, IkeSa& sa, Output& out) const;
  // Process (responder), after the answer went out: the peer deleted `sa`. A retiring SA is
  // gone; the current one closes the session (Deleted reported).
  // Collision steps: a peer Delete crossing ours needs nothing more (1.4.1; our request's answer
  // is then moot). The peer deleting, as redundant, the SA our answer to its colliding IKE rekey
  // created, before our own rekey is answered, only marks it: that answer brings the surviving
  // SA (2.8.2).
  static void answer_peer_delete(ExchangeContext& ctx, IkeSa& sa, Output& out);
  // Unanswered: a retiring SA is dropped without declaring the peer dead (its successor lives).
  [[nodiscard]] static bool give_up_quietly(bool is_current_sa) { return !is_current_sa; }
};

// The peer's INFORMATIONAL request, answered in one response (1.4): its Deletes of child SAs
// and of the IKE SA, an AUTHENTICATION_FAILED report of our AUTH (2.21.2), or nothing at all:
// a liveness check (LivenessExchange, 2.4), for which the empty answer is everything.
void answer_informational(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid, Output& out);

}  // namespace linkcrypt::ike
