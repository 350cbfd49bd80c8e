// INFORMATIONAL Delete as exchange units: one child SA, or the IKE SA (RFC 7296 1.4.1).
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
  // Collision step, on the peer's Delete of child SAs: each is removed and reported; the answer
  // names our inbound SPIs, except of children we are deleting ourselves (both Deletes crossed,
  // 1.4.1: each side answers without the SPI it already asked to delete).
  static void answer_peer_delete(std::vector<ChildSa>& children, const DeletePayload& d, ChainBuilder& answer,
                                 Output& out);
};

// Deleting an IKE SA: the current one (closing the session) or one on its way out (after a
// rekey, 2.18, or a redundant one after a 2.8.2 collision).
struct DeleteIkeExchange {
  // Build: marks `sa` as deleting and sends its Delete; nothing if it is already deleting.
  static void start(ExchangeContext& ctx, IkeSa& sa, TimePoint now, Output& out);
  // Process: the peer acknowledged. A retiring SA is gone; for the current SA the session is
  // closed (Deleted reported).
  void process_response(ExchangeContext& ctx, IkeSa& sa, Output& out) const;
  // Collision step: a peer Delete of the IKE SA crossing ours needs nothing more; the session
  // answers it and closes (RFC 7296 1.4.1), and our request's answer is then moot.
  // Unanswered: a retiring SA is dropped without declaring the peer dead (its successor lives).
  [[nodiscard]] static bool give_up_quietly(bool is_current_sa) { return !is_current_sa; }
};

}  // namespace linkcrypt::ike
