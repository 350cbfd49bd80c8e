// The watch loop: signal handlers and the cursor are RAII guards, so every way out restores them.
#include "watch.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

namespace linkcrypt::ctl {
namespace {

volatile sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the terminal went away: nothing left to show
    off += static_cast<size_t>(n);
  }
}

// SIGINT and SIGTERM set g_stop (no SA_RESTART: a sleep ends at once); the old handlers return.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// Hides the cursor on a terminal and shows it again, whatever ends the loop.
class HiddenCursor {
 public:
  HiddenCursor(int fd, bool tty) : fd_(fd), tty_(tty) {
    if (tty_) write_all(fd_, std::string(kHideCursor) + "\x1b[H\x1b[2J");
  }
  ~HiddenCursor() {
    if (tty_) write_all(fd_, kShowCursor);
  }
  HiddenCursor(const HiddenCursor&) = delete;
  HiddenCursor& operator=(const HiddenCursor&) = delete;

 private:
  int fd_;
  bool tty_;
};

// Sleeps until the deadline or a stop signal.
void sleep_until(const timespec& deadline) {
  while (!g_stop) {
    const int rc = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
    if (rc == 0) return;
    if (rc != EINTR) return;
  }
}

}  // namespace

std::string redraw_in_place(const std::string& text) {
  std::string out = "\x1b[H";
  for (char c : text) {
    if (c == '\n') out += "\x1b[K";
    out += c;
  }
  return out + "\x1b[J";
}

int run_watch(double interval_s, const std::function<std::string()>& frame, int fd) {
  const bool tty = ::isatty(fd) == 1;
  StopSignals signals;
  HiddenCursor cursor(fd, tty);
  const auto step_ns = static_cast<long long>(std::llround(interval_s * 1e9));
  timespec next{};
  ::clock_gettime(CLOCK_MONOTONIC, &next);
  while (!g_stop) {
    const std::string text = frame();
    if (g_stop) break;
    write_all(fd, tty ? redraw_in_place(text) : text);
    const long long ns = next.tv_nsec + step_ns;
    next.tv_sec += static_cast<time_t>(ns / 1000000000LL);
    next.tv_nsec = static_cast<long>(ns % 1000000000LL);
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) next = now;  // fell behind
    sleep_until(next);
  }
  return 0;
}

}  // namespace linkcrypt::ctl
