// linkcrypt-ike's log: one stderr line per event, in linkcryptd's format with the program's own name.
#pragma once

#include <string_view>

#include "log_event.h"

namespace linkcrypt::ikeproc {

// Call once before seccomp (caches the pid). Lines carry identifiers only, never key bytes.
void init_log(LogLevel min_level);
void log(LogLevel level, std::string_view message);
void log(const LogEvent& e);

}  // namespace linkcrypt::ikeproc
