// The logger: ISO 8601 UTC stderr lines with milliseconds and level, level names, the threshold.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "daemon_log.h"

namespace linkcrypt::daemon {
namespace {

TEST(DaemonLog, StderrLineHasUtcMillisecondsPidAndLevel) {
  // 2026-12-06T06:12:01.123Z: 1796537521 s since the epoch.
  EXPECT_EQ(format_stderr_line(1796537521123, 1234, LogLevel::Warning, "wire link down"),
            "2026-12-06T06:12:01.123Z linkcryptd[1234] warning: wire link down");
  EXPECT_EQ(format_stderr_line(5, 1, LogLevel::Info, "x"), "1970-01-01T00:00:00.005Z linkcryptd[1] info: x");
}

TEST(DaemonLog, LevelNamesRoundTrip) {
  for (auto l : {LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error}) {
    EXPECT_EQ(parse_log_level(log_level_name(l)), l);
  }
  EXPECT_FALSE(parse_log_level("warn"));
  EXPECT_FALSE(parse_log_level("INFO"));
}

TEST(DaemonLog, ThresholdDropsLowerLevels) {
  // Capture stderr through a pipe.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  std::fflush(stderr);
  dup2(fds[1], STDERR_FILENO);
  open_log(LogTarget::Stderr, LogLevel::Warning);
  log(LogLevel::Info, "child SA installed key_id=0000000000000001");
  log(LogLevel::Warning, "link down: PeerDead", {{"REASON", "PeerDead"}});
  set_log_level(LogLevel::Debug);
  log(LogLevel::Debug, "now visible");
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  EXPECT_EQ(out.find("child SA installed"), std::string::npos);
  EXPECT_NE(out.find("] warning: link down: PeerDead\n"), std::string::npos);
  EXPECT_NE(out.find("] debug: now visible\n"), std::string::npos);
  EXPECT_EQ(out.find("REASON"), std::string::npos);  // fields are for the journal; the line says it
}

}  // namespace
}  // namespace linkcrypt::daemon
