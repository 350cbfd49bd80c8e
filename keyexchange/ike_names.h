// The names an operator sees for IKE's enums: failure reasons, session states, PRFs and groups.
#pragma once

#include <string>
#include <string_view>

#include "ike_session.h"

namespace linkcrypt::ike {

// "AuthenticationFailed", ...: what `linkcryptctl peer` shows and logs carry as REASON.
[[nodiscard]] std::string_view fail_reason_name(FailReason r);
// "established", ...: the IKE state of `linkcryptctl peer`.
[[nodiscard]] std::string_view session_state_name(SessionState s);
// RFC 7296 3.3.2 transform names as strongSwan and Wireshark print them: "PRF_HMAC_SHA2_256".
[[nodiscard]] std::string_view prf_name(Prf p);
// "CURVE_25519", "ECP_256", "ECP_384".
[[nodiscard]] std::string_view dh_group_name(DhGroup g);
// The IKE SA's negotiated algorithms in one token: "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519".
[[nodiscard]] std::string algorithms_name(const IkeUp& up);

}  // namespace linkcrypt::ike
