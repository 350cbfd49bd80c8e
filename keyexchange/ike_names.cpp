// fail_reason_name, session_state_name, prf_name, dh_group_name, algorithms_name.
#include "ike_names.h"

namespace linkcrypt::ike {

std::string_view fail_reason_name(FailReason r) {
  using F = FailReason;
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
    case F::LongTermKeyUnavailable: return "LongTermKeyUnavailable";
    case F::PpkRequired: return "PpkRequired";
    case F::PpkUnknown: return "PpkUnknown";
  }
  return "InternalError";
}

std::string_view session_state_name(SessionState s) {
  using S = SessionState;
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

std::string_view prf_name(Prf p) {
  switch (p) {
    case Prf::HmacSha2_256: return "PRF_HMAC_SHA2_256";
    case Prf::HmacSha2_384: return "PRF_HMAC_SHA2_384";
    case Prf::HmacSha2_512: return "PRF_HMAC_SHA2_512";
  }
  return "PRF_UNKNOWN";
}

std::string_view dh_group_name(DhGroup g) {
  switch (g) {
    case DhGroup::Curve25519: return "CURVE_25519";
    case DhGroup::Ecp256: return "ECP_256";
    case DhGroup::Ecp384: return "ECP_384";
  }
  return "GROUP_UNKNOWN";
}

std::string algorithms_name(const IkeUp& up) {
  std::string s = "AES_GCM_16_" + std::to_string(up.encr_key_bits);
  s += '/';
  s += prf_name(up.prf);
  s += '/';
  s += dh_group_name(up.group);
  return s;
}

}  // namespace linkcrypt::ike
