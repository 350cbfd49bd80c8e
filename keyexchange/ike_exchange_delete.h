// INFORMATIONAL Delete as exchange units: one child SA, or the IKE SA (RFC 7296 1.4.1).
#pragma once

#include <cstdint>
#include <vector>

#include "ike_codec.h"
#include "ike_session.h"

namespace linkcrypt::ike {

struct ChildSa;
struct IkeSa;

// Deleting one child SA: the request, its answer, and the peer's Delete crossing ours.
struct DeleteChildExchange {
  uint32_t old_child_spi = 0;  // our inbound SPI of the child being deleted

  // Marks the child as deleting and adds its Delete payload; false when there is nothing to
  // delete (unknown, or already on its way out).
  [[nodiscard]] static bool build_request(std::vector<ChildSa>& children, uint32_t spi_in, ChainBuilder& c);
  // The peer acknowledged: the child is gone, reported as rekeyed (it has a successor) or deleted.
  void process_response(std::vector<ChildSa>& children, Output& out) const;
  // Collision step, on the peer's Delete of child SAs: each is removed and reported; the answer
  // names our inbound SPIs, except of children we are deleting ourselves (both Deletes crossed,
  // 1.4.1: each side answers without the SPI it already asked to delete).
  static void answer_peer_delete(std::vector<ChildSa>& children, const DeletePayload& d, ChainBuilder& answer,
                                 Output& out);
};

// Deleting an IKE SA: the current one (closing the session) or one on its way out (after a
// rekey, 2.18, or a redundant one after a 2.8.2 collision).
struct DeleteIkeExchange {
  // Marks the SA as deleting and adds the Delete payload; false if it is already deleting.
  [[nodiscard]] static bool build_request(IkeSa& sa, ChainBuilder& c);
  enum class Outcome : uint8_t { RetiredSaGone, SessionClosed };
  // The peer acknowledged. For the current SA the session is closed (Deleted reported).
  Outcome process_response(bool is_current_sa, Output& out) const;
  // Collision step: a peer Delete of the IKE SA crossing ours needs nothing more; the session
  // answers it and closes (RFC 7296 1.4.1), and our request's answer is then moot.
  // Unanswered: a retiring SA is dropped without declaring the peer dead (its successor lives).
  [[nodiscard]] static bool give_up_quietly(bool is_current_sa) { return !is_current_sa; }
};

}  // namespace linkcrypt::ike
