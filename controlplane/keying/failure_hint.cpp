// Names and hints for the causes of a lost link, as linkcryptctl shows them.
#include "failure_hint.h"

#include "ike_names.h"

namespace linkcrypt::keying {
namespace {

std::string_view hint_for(ike::FailReason r) {
  using F = ike::FailReason;
  switch (r) {
    case F::AuthenticationFailed:
      return "check that both sides use the same PSK file (or the right peer public key / CA), that local-id/peer-id match the other side, and, with a PPK, the same ppk-id and ppk-file contents";
    case F::NoProposalChosen:
      return "the two sides share no algorithm: set the same suite (and integrity-only setting) on both";
    case F::PeerIdMismatch:
      return "the peer presented another identity: peer-id here must equal local-id there (and name its certificate)";
    case F::CertificateExpired: return "renew the certificate, or check the clocks of both hosts";
    case F::CertificateUntrusted: return "the peer's certificate does not chain to ca-file: install the right CA";
    case F::PeerUnreachable:
      return "no answer from the peer: check the cable/link, that linkcryptd runs there, and the transport (kx-ethertype / udp addresses)";
    case F::InvalidKePayload: return "no common key-exchange group: check both builds/configs";
    case F::TsUnacceptable: return "traffic selectors refused: the peer is not a linkcrypt MACsec profile";
    case F::MessageRejected: return "the peer rejected a message: check versions on both sides and the logs";
    case F::LongTermKeyUnavailable:
      return "our PSK or private key could not be used: check the token (present, PIN, object URI) or the key holder, then the logs";
    case F::PpkRequired:
      return "a post-quantum preshared key is required here (ppk-required) and the peer used none: give the peer the same ppk-id and ppk-file, or set ppk-required = false on this side";
    case F::PpkUnknown:
      return "the peer named a PPK id we do not hold: set the same ppk-id (and the same ppk-file contents) on both sides";
    case F::InternalError: break;
  }
  return "see the logs of both daemons";
}

std::string_view hint_for(LinkLoss l) {
  switch (l) {
    case LinkLoss::PeerDead:
      return "the peer stopped answering liveness checks: check the link and the peer daemon; re-establishing with back-off";
    case LinkLoss::IkeDeleted: return "the peer closed the IKE SA (restart or shutdown); re-establishing";
  }
  return "see the logs of both daemons";
}

std::string_view name_of(ike::FailReason r) { return ike::fail_reason_name(r); }

std::string_view name_of(LinkLoss l) {
  switch (l) {
    case LinkLoss::PeerDead: return "PeerDead";
    case LinkLoss::IkeDeleted: return "IkeDeleted";
  }
  return "IkeDeleted";
}

}  // namespace

std::string_view failure_name(const FailureCause& cause) {
  return std::visit([](auto c) { return name_of(c); }, cause);
}

std::string_view failure_hint(const FailureCause& cause) {
  return std::visit([](auto c) { return hint_for(c); }, cause);
}

bool is_ike_failure(const FailureCause& cause) { return std::holds_alternative<ike::FailReason>(cause); }

}  // namespace linkcrypt::keying
