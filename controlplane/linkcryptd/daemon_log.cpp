// The logger's three sinks: stderr (timestamped lines), syslog (priority per level), journald (sd_journal_sendv with fields).
#include "daemon_log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

// CODE_FILE/CODE_LINE would name this file, not the event's origin: leave them out.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace linkcrypt::daemon {
namespace {

std::atomic<LogTarget> g_target{LogTarget::Stderr};
std::atomic<LogLevel> g_threshold{LogLevel::Info};

int syslog_priority(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return LOG_DEBUG;
    case LogLevel::Info: return LOG_INFO;
    case LogLevel::Notice: return LOG_NOTICE;
    case LogLevel::Warning: return LOG_WARNING;
    case LogLevel::Error: return LOG_ERR;
  }
  return LOG_INFO;
}

// systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream stdout/stderr are connected
// to. A child that merely inherited the variable has a different stderr, so compare.
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

// journald field names: upper-case letters, digits and '_', not starting with '_' (those are
// trusted fields journald sets itself).
bool valid_field_name(std::string_view n) {
  if (n.empty() || n.front() == '_' || n.size() > 64) return false;
  for (char c : n) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void write_stderr(LogLevel level, std::string_view message) {
  const std::string line = format_stderr_line(unix_ms_now(), static_cast<int>(getpid()), level, message) + "\n";
  // One fwrite per line: stdio locks the stream, so lines from two threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool send_journal(LogLevel level, std::string_view message, const LogField* fields, size_t count) {
  std::vector<std::string> parts;
  parts.reserve(count + 3);
  parts.push_back("MESSAGE=" + std::string(message));
  parts.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
  parts.push_back("SYSLOG_IDENTIFIER=linkcryptd");
  for (size_t i = 0; i < count; ++i) {
    if (valid_field_name(fields[i].name)) parts.push_back(fields[i].name + "=" + fields[i].value);
  }
  std::vector<iovec> iov(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) iov[i] = {parts[i].data(), parts[i].size()};
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
}

void emit(LogLevel level, std::string_view message, const LogField* fields, size_t count) {
  if (level < g_threshold.load(std::memory_order_relaxed)) return;
  switch (g_target.load(std::memory_order_relaxed)) {
    case LogTarget::Syslog:
      syslog(syslog_priority(level), "%.*s", static_cast<int>(message.size()), message.data());
      return;
    case LogTarget::Journal:
      if (send_journal(level, message, fields, count)) return;
      break;  // journald gone: the line must not be lost
    case LogTarget::Stderr:
      break;
  }
  write_stderr(level, message);
}

}  // namespace

LogTarget choose_log_target(std::string_view option) {
  if (option == "syslog") return LogTarget::Syslog;
  if (option == "journal") return LogTarget::Journal;
  return stderr_is_journal() ? LogTarget::Journal : LogTarget::Stderr;
}

void open_log(LogTarget target, LogLevel threshold) {
  if (target == LogTarget::Syslog) openlog("linkcryptd", LOG_PID, LOG_DAEMON);
  g_target.store(target);
  g_threshold.store(threshold);
}

void set_log_level(LogLevel threshold) { g_threshold.store(threshold); }
LogLevel log_level() { return g_threshold.load(); }

std::string_view log_target_name() {
  switch (g_target.load()) {
    case LogTarget::Stderr: return "stderr";
    case LogTarget::Syslog: return "syslog";
    case LogTarget::Journal: return "journal";
  }
  return "stderr";
}

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  emit(level, message, fields.begin(), fields.size());
}

void log(const LogEvent& e) { emit(e.level, e.message, e.fields.data(), e.fields.size()); }

void log_config_error(std::string_view why) {
  const std::string line = "linkcryptd: config: " + std::string(why) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  const LogField reason{"REASON", "config"};
  switch (g_target.load()) {
    case LogTarget::Syslog:
      syslog(LOG_ERR, "config: %.*s", static_cast<int>(why.size()), why.data());
      break;
    case LogTarget::Journal:
      (void)send_journal(LogLevel::Error, "config: " + std::string(why), &reason, 1);
      break;
    case LogTarget::Stderr:
      break;
  }
}

std::string format_stderr_line(int64_t unix_ms, int pid, LogLevel level, std::string_view message) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  std::string line = stamp;
  line += " linkcryptd[" + std::to_string(pid) + "] ";
  line += log_level_name(level);
  line += ": ";
  line += message;
  return line;
}

}  // namespace linkcrypt::daemon
