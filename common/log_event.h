// A log event as every part hands it to the daemon's logger: a level, one line, named fields (identifiers only, never key bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt {

// syslog's severities that linkcrypt uses (RFC 5424 6.2.1), least severe first.
enum class LogLevel : uint8_t { Debug, Info, Notice, Warning, Error };

// A structured field, named as journald wants it (upper case, digits, '_'): KEY_ID, SCI, AN,
// REASON, PEER, DIR. Values are identifiers, states and reasons: never key material.
struct LogField {
  std::string name;
  std::string value;
};

struct LogEvent {
  LogLevel level = LogLevel::Info;
  std::string message;  // one line, self-contained (the fields repeat what it says, for machines)
  std::vector<LogField> fields;
};

[[nodiscard]] inline std::string_view log_level_name(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Notice: return "notice";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "info";
}

[[nodiscard]] inline std::optional<LogLevel> parse_log_level(std::string_view s) {
  for (auto l : {LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error}) {
    if (s == log_level_name(l)) return l;
  }
  return std::nullopt;
}

}  // namespace linkcrypt
