// Operator-facing names and hints for IKE failures (docs/architecture-daemon.md troubleshooting).
#pragma once

#include <string_view>

#include "ike_session.h"

namespace linkcrypt::keying {

[[nodiscard]] std::string_view fail_reason_name(ike::FailReason r);
// A one-line "what to check" for a failure reason name (also "PeerDead", "IkeDeleted").
[[nodiscard]] std::string_view failure_hint(std::string_view reason);
[[nodiscard]] std::string_view session_state_name(ike::SessionState s);

}  // namespace linkcrypt::keying
