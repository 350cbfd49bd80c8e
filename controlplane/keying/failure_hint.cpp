// Names and hints for IKE failures and session states, as linkcryptctl shows them.
#include "failure_hint.h"

namespace linkcrypt::keying {

std::string_view fail_reason_name(ike::FailReason r) {
  using F = ike::FailReason;
  switch (r) {
    case F::NoProposalChosen: return "NoProposalChosen";
    case F::AuthenticationFailed: return "AuthenticationFailed";
    case F::CertificateExpired: return "CertificateExpired";
    case F::CertificateUntrusted: return "CertificateUntrusted";
    case F::PeerIdMismatch: return "PeerIdMismatch";
    case F::InvalidKePayload: return "InvalidKePayload";
    case F::PeerUnreachable: return "PeerUnreachable";
    case F::TsUnacceptable: return "TsUnacceptable";
    case F::MessageRejected: return "MessageRejected";
    case F::InternalError: return "InternalError";
  }
  return "InternalError";
}

std::string_view failure_hint(std::string_view reason) {
  if (reason == "AuthenticationFailed")
    return "check that both sides use the same PSK file (or the right peer public key / CA), and that local-id/peer-id match the other side";
  if (reason == "NoProposalChosen")
    return "the two sides share no algorithm: set the same suite (and integrity-only setting) on both";
  if (reason == "PeerIdMismatch")
    return "the peer presented another identity: peer-id here must equal local-id there (and name its certificate)";
  if (reason == "CertificateExpired") return "renew the certificate, or check the clocks of both hosts";
  if (reason == "CertificateUntrusted") return "the peer's certificate does not chain to ca-file: install the right CA";
  if (reason == "PeerUnreachable")
    return "no answer from the peer: check the cable/link, that linkcryptd runs there, and the transport (kx-ethertype / udp addresses)";
  if (reason == "PeerDead")
    return "the peer stopped answering liveness checks: check the link and the peer daemon; re-establishing with back-off";
  if (reason == "IkeDeleted") return "the peer closed the IKE SA (restart or shutdown); re-establishing";
  if (reason == "InvalidKePayload") return "no common key-exchange group: check both builds/configs";
  if (reason == "TsUnacceptable") return "traffic selectors refused: the peer is not a linkcrypt MACsec profile";
  if (reason == "MessageRejected") return "the peer rejected a message: check versions on both sides and the logs";
  return "see the logs of both daemons";
}

std::string_view session_state_name(ike::SessionState s) {
  using S = ike::SessionState;
  switch (s) {
    case S::Idle: return "idle";
    case S::InitSent: return "init-sent";
    case S::AuthSent: return "auth-sent";
    case S::Established: return "established";
    case S::Closing: return "closing";
    case S::Closed: return "closed";
    case S::Failed: return "failed";
  }
  return "unknown";
}

}  // namespace linkcrypt::keying
