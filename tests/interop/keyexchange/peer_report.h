// ike_udp_peer's TEST-ONLY stdout: one line per library event, child SA keys in hex.
#pragma once

#include <string>

#include "ike_session.h"

namespace linkcrypt::interop {

// One line, "KIND key=value ...". CHILD_KEYS carries the ESP KEYMAT slices (key||salt, RFC
// 4106) as the exchange initiator and responder directions (RFC 7296 2.17), which is how
// strongSwan logs them ("encryption initiator key"), so the harness can compare them directly.
// Key material is printed here only because this is a test tool (see --help).
[[nodiscard]] std::string format_event(const ike::Event& event);

}  // namespace linkcrypt::interop
