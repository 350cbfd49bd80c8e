// Why the keying controller lost its link (typed), its operator-facing name and a hint (docs/architecture-daemon.md troubleshooting).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "ike_session.h"

namespace linkcrypt::keying {

// The ends of an IKE SA that are not failures of the exchange.
enum class LinkLoss : uint8_t {
  PeerDead,    // no answer to liveness checks (RFC 7296 2.4)
  IkeDeleted,  // the IKE SA was deleted (by the peer, or it ended here)
};

// An IKE failure with the session's typed reason, or a link loss.
using FailureCause = std::variant<ike::FailReason, LinkLoss>;

// "AuthenticationFailed", "PeerDead", ...: the `reason` of `linkcryptctl peer` and of the logs.
[[nodiscard]] std::string_view failure_name(const FailureCause& cause);
// A one-line "what to check" for the cause.
[[nodiscard]] std::string_view failure_hint(const FailureCause& cause);
// A failure an operator must fix (LinkState::Failed), not a link that went away (LinkState::Down).
[[nodiscard]] bool is_ike_failure(const FailureCause& cause);

}  // namespace linkcrypt::keying
