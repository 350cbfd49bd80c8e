// The key holder's one line per request (operation, peer, SPIs, result): the single place a richer audit log replaces.
#pragma once

#include <string_view>

#include "keyholder_wire.h"

namespace linkcrypt::keyholder {

// Writes to stderr (journald under systemd). Never key material: identities, SPIs, result names.
void log_request(const Request& q, const ike::KeyResult& result);
void log_line(std::string_view line);

}  // namespace linkcrypt::keyholder
