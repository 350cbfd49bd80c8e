// run_event_loop: a 10 ms sigtimedwait tick that serves signals and polls the dataplane.
#include "event_loop.h"

#include "counters_dump.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

namespace linkcrypt::daemon {

sigset_t block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void run_event_loop(dpdk::Dataplane& dp, const sigset_t& signals, const DaemonOptions& opts) {
  using Clock = std::chrono::steady_clock;
  auto next_stats = Clock::now() + std::chrono::milliseconds(opts.stats_interval_ms);
  bool threshold_logged = false;
  std::vector<std::vector<uint8_t>> kx_frames;
  for (;;) {
    timespec tick{0, 10'000'000};
    siginfo_t info;
    const int sig = sigtimedwait(&signals, &info, &tick);
    if (sig == SIGINT || sig == SIGTERM) return;
    if (sig == SIGUSR1) print_counters(stdout, dp.counters());

    // In-band key-exchange frames (design §4). Counted by the workers (KxPunted); the IKEv2
    // side will consume them here.
    kx_frames.clear();
    (void)dp.receive_kx(kx_frames, 64);

    // 802.1AE 10.5.2 / design §3: past the threshold the control plane must rekey before the
    // PN space runs out. With manual keys there is nobody to rekey: say so once.
    if (!threshold_logged && dp.sa().tx_threshold_reached()) {
      std::fprintf(stderr, "linkcryptd: the transmit SA has reached its rekey-threshold PN: install a new SA\n");
      threshold_logged = true;
    } else if (threshold_logged && !dp.sa().tx_threshold_reached()) {
      threshold_logged = false;  // a new SA is active
    }
    if (opts.stats_interval_ms != 0 && Clock::now() >= next_stats) {
      print_counters(stdout, dp.counters());
      next_stats = Clock::now() + std::chrono::milliseconds(opts.stats_interval_ms);
    }
  }
}

}  // namespace linkcrypt::daemon
