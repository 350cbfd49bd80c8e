// init_log / log: "2026-12-06T06:12:01.123Z linkcrypt-ike[PID] info: ..." with one write(2) per line.
#include "ike_log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace linkcrypt::ikeproc {
namespace {
int g_pid = 0;
LogLevel g_min = LogLevel::Info;
}  // namespace

void init_log(LogLevel min_level) {
  g_pid = static_cast<int>(getpid());
  g_min = min_level;
}

void log(LogLevel level, std::string_view message) {
  if (level < g_min) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);  // UTC: no time-zone file to open under seccomp
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  std::string line = std::string(stamp) + " linkcrypt-ike[" + std::to_string(g_pid) + "] " +
                     std::string(log_level_name(level)) + ": " + std::string(message) + "\n";
  [[maybe_unused]] auto n = write(STDERR_FILENO, line.data(), line.size());
}

void log(const LogEvent& e) { log(e.level, e.message); }

}  // namespace linkcrypt::ikeproc
