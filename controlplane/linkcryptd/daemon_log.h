// linkcryptd's log: one line per event to stderr or syslog (key identifiers only, never keys).
#pragma once

#include <string>

namespace linkcrypt::daemon {

void open_log(bool use_syslog);
void log_line(const std::string& line);

}  // namespace linkcrypt::daemon
