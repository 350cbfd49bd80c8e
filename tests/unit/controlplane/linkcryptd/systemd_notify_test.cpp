// linkcryptd's sd_notify glue, against a fake systemd notify socket: READY, watchdog pacing, STOPPING.
#include "systemd_notify.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace {

using linkcrypt::daemon::systemd_notify::ready;
using linkcrypt::daemon::systemd_notify::stopping;
using linkcrypt::daemon::systemd_notify::watchdog_tick;
using namespace std::chrono_literals;

// A datagram socket standing in for systemd's $NOTIFY_SOCKET.
class FakeSystemd {
 public:
  FakeSystemd() {
    path_ = "/tmp/linkcrypt-notify-" + std::to_string(getpid());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path_.copy(a.sun_path, sizeof a.sun_path - 1);
    unlink(path_.c_str());
    ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~FakeSystemd() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  // The next message, or "" when none is waiting.
  std::string next() {
    char buf[512];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

// One test: the watchdog interval is read once per process, as systemd sets it once per start.
TEST(SystemdNotify, ReadyWatchdogAtHalfTheIntervalStopping) {
  FakeSystemd systemd;
  ASSERT_TRUE(systemd.ok());
  setenv("NOTIFY_SOCKET", systemd.path().c_str(), 1);
  setenv("WATCHDOG_USEC", "200000", 1);  // WatchdogSec=200ms: keep-alives every 100 ms
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);

  ready();
  EXPECT_EQ(systemd.next().rfind("READY=1\n", 0), 0u);

  const auto t0 = std::chrono::steady_clock::now();
  watchdog_tick(t0);
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");
  watchdog_tick(t0 + 10ms);  // the event loop ticks every 10 ms: no message in between
  watchdog_tick(t0 + 99ms);
  EXPECT_EQ(systemd.next(), "");
  watchdog_tick(t0 + 100ms);
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");
  EXPECT_EQ(systemd.next(), "");

  stopping();
  EXPECT_EQ(systemd.next().rfind("STOPPING=1", 0), 0u);
}

}  // namespace
