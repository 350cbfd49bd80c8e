// IKE_SA_INIT as an exchange unit: our request and its retries, the peer's answer, the responder's reply (RFC 7296 1.2, 2.6, 2.21.1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_proposals.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class ExchangeContext;

// What IKE_AUTH signs and derives child keys from (RFC 7296 2.15, 2.17): the nonces and the two
// IKE_SA_INIT messages exactly as they went over the wire.
struct InitTranscript {
  std::vector<uint8_t> ni, nr;
  std::vector<uint8_t> request, response;
};

// Our IKE_SA_INIT, in flight as the session's pending request. The session owns the message
// window and retransmission; this holds the attempt's context across COOKIE and INVALID_KE
// retries (which keep every other payload, 2.6).
struct InitExchange {
  std::vector<Proposal> offer;
  DhGroup group = DhGroup::Curve25519;
  std::optional<DhKey> dh;
  std::vector<uint8_t> ni;
  std::vector<uint8_t> request;  // as last sent
  std::vector<uint8_t> cookie;
  uint32_t cookie_rounds = 0;      // COOKIEs acted on in this attempt (kMaxCookieRounds)
  uint32_t invalid_ke_rounds = 0;  // INVALID_KE_PAYLOADs acted on (kMaxInvalidKeRounds)
  // A COOKIE or INVALID_KE_PAYLOAD we act on when the request's retransmission is due, unless a
  // genuine answer to it arrives first.
  struct Restart {
    std::optional<std::vector<uint8_t>> cookie;
    DhGroup group = DhGroup::Curve25519;
  };
  std::optional<Restart> restart;
  // The last unauthenticated answer we did not act on (2.21.1): named in the failure when no
  // usable answer arrives before the retransmissions run out.
  struct IgnoredAnswer {
    FailReason reason = FailReason::PeerUnreachable;
    std::string what;  // "unauthenticated NO_PROPOSAL_CHOSEN notifies"
    std::optional<ProposalMismatch> proposals;
  };
  std::optional<IgnoredAnswer> ignored;

  // Build (initiator): creates the IKE SA and sends the first request.
  static void start(ExchangeContext& ctx, TimePoint now, Output& out);
  // Process (initiator): an answer to the pending request. A usable one completes the exchange
  // (returns the transcript); notifies and unusable answers are untrusted and change nothing
  // but a scheduled restart (2.21.1).
  [[nodiscard]] std::optional<InitTranscript> process_response(ExchangeContext& ctx, std::span<const uint8_t> msg,
                                                               const Message& m, TimePoint now, Output& out);
  // Collision step: a restart demand (COOKIE, INVALID_KE) races a genuine answer; the session
  // asks at each retransmission whether one is due, and a genuine answer cancels it.
  [[nodiscard]] bool restart_due() const { return restart.has_value(); }
  // Resends with the demanded cookie or group; `*this` is moved into the new pending request.
  void restart_now(ExchangeContext& ctx, TimePoint now, Output& out) &&;
  // Unanswered after every retransmission: fails, naming an ignored answer if there was one.
  void fail_unanswered(ExchangeContext& ctx, uint32_t tries, Output& out) const;

  // Process (responder): the first IKE_SA_INIT request (already checked by the Responder).
  // Creates the IKE SA and answers; nullopt when the request was rejected (the notify reply is in out).
  [[nodiscard]] static std::optional<InitTranscript> answer_request(ExchangeContext& ctx, std::span<const uint8_t> msg,
                                                                    const Message& m, Output& out);

 private:
  void send(ExchangeContext& ctx, TimePoint now, Output& out) &&;
  void schedule_restart(ExchangeContext& ctx, Restart r, TimePoint now);
  void ignore_notify(ExchangeContext& ctx, const NotifyPayload& n, const Payloads& in, Output& out);
  void ignore_answer(FailReason r, std::string what, std::optional<ProposalMismatch> props) {
    ignored = IgnoredAnswer{r, std::move(what), std::move(props)};
  }
};

}  // namespace linkcrypt::ike
