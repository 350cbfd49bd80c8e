// IKE_AUTH as an exchange unit: our request, its answer, the responder's reply, with the first child SA (RFC 7296 1.2, 2.15, 2.21.2).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ike_codec.h"
#include "ike_keys.h"
#include "ike_exchange_init.h"
#include "ike_proposals.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class ExchangeContext;
struct IkeSa;

// IKE_AUTH on the IKE SA that IKE_SA_INIT created. The initiator's is the session's pending
// request; the responder's waits in the session for the peer's request.
struct AuthExchange {
  InitTranscript init;  // signed in AUTH (2.15); its nonces key the first child (2.17)
  // Initiator: the first child SA we offer.
  std::vector<Proposal> child_offer;
  uint32_t child_spi = 0;
  // Initiator with a PPK the responder also announced (RFC 8784 3): SK_d/SK_pi/SK_pr with the
  // PPK mixed in. They replace the SA's keys only if the responder's answer says it used it
  // (PPK_IDENTITY); otherwise (PPK optional) the SA keeps the original ones.
  std::shared_ptr<IkeKeys> ppk_keys;
  std::string ppk_id;

  // Build (initiator): AUTH, the first child's SA, traffic selectors and SCI.
  static void start(ExchangeContext& ctx, InitTranscript init, TimePoint now, Output& out);
  // Process (initiator): the answer authenticates the peer and brings up the first child, or
  // ends the session (an AUTH we cannot verify is reported to the peer, 2.21.2).
  void process_response(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, Output& out) const;
  // Process (responder): the peer's request, answered with our AUTH and the first child, or
  // with the error that ends the session.
  void answer_request(ExchangeContext& ctx, IkeSa& sa, const Message& m, const Payloads& in, Output& out) const;
  // Collision step: none. Until IKE_AUTH completes no other exchange may run on the IKE SA
  // (RFC 7296 1.2); the session counts any other request as unexpected.
};

}  // namespace linkcrypt::ike
