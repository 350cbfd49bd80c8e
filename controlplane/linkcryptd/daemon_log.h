// linkcryptd's logger: levels, ISO 8601 UTC stderr lines, syslog priorities, journald fields (key identifiers only, never keys).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "log_event.h"

namespace linkcrypt::daemon {

enum class LogTarget { Stderr, Syslog, Journal };

// The target for --log (stderr | syslog | journal). Under systemd (JOURNAL_STREAM names our
// stderr) "stderr" becomes the journal: the same destination, with fields and priorities.
[[nodiscard]] LogTarget choose_log_target(std::string_view option);

void open_log(LogTarget target, LogLevel threshold);
// Events below the threshold are dropped (SIGHUP may change it).
void set_log_level(LogLevel threshold);
[[nodiscard]] LogLevel log_level();
[[nodiscard]] std::string_view log_target_name();

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
void log(const LogEvent& event);

// A configuration the operator must fix: exactly one stderr line "linkcryptd: config: WHY"
// (docs/config.md: exit 2), also to syslog/journal when one is open.
void log_config_error(std::string_view why);

// "2026-12-06T06:12:01.123Z linkcryptd[1234] warning: wire link down" (milliseconds, UTC).
[[nodiscard]] std::string format_stderr_line(int64_t unix_ms, int pid, LogLevel level, std::string_view message);

}  // namespace linkcrypt::daemon
