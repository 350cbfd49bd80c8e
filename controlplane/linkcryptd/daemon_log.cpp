// log_line: stderr with the "linkcryptd: " prefix, or syslog (facility daemon).
#include "daemon_log.h"

#include <syslog.h>

#include <cstdio>

namespace linkcrypt::daemon {
namespace {
bool g_syslog = false;
}

void open_log(bool use_syslog) {
  g_syslog = use_syslog;
  if (g_syslog) openlog("linkcryptd", LOG_PID, LOG_DAEMON);
}

void log_line(const std::string& line) {
  if (g_syslog) {
    syslog(LOG_INFO, "%s", line.c_str());
  } else {
    std::fprintf(stderr, "linkcryptd: %s\n", line.c_str());
  }
}

}  // namespace linkcrypt::daemon
