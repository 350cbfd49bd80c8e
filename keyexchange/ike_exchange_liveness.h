// The liveness check (dead-peer detection) as an exchange unit: an empty INFORMATIONAL (RFC 7296 2.4).
#pragma once

#include "ike_codec.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class ExchangeContext;

struct LivenessExchange {
  // A check is due once nothing has arrived for `interval` (0 disables them); the session
  // starts one only when the IKE SA is up and idle (no request in flight or queued).
  [[nodiscard]] static bool enabled(Millis interval) { return interval.count() > 0; }
  [[nodiscard]] static TimePoint due_at(TimePoint last_rx, Millis interval) { return last_rx + interval; }
  // Build: the request carries no payloads.
  static void start(ExchangeContext& ctx, TimePoint now, Output& out);
  // Any authenticated answer proves the peer alive; the session noted its arrival (last_rx).
  void process_response() const {}
  // Process (responder): the peer's check is an INFORMATIONAL without payloads, answered empty
  // (answer_informational, ike_exchange_delete.h); its arrival is all it asks.
  // Collision step: none. The check changes no state, so any request of the peer may cross it.
  // Unanswered after every retransmission, the peer is dead (PeerDead), as for any request
  // on an established IKE SA.
};

}  // namespace linkcrypt::ike
