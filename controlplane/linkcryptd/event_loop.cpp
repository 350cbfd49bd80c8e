// run_event_loop: a 10 ms sigtimedwait tick that serves signals, keying, the control socket.
#include "event_loop.h"

#include "control_abuse_log.h"
#include "counters_dump.h"
#include "daemon_log.h"
#include "kx_guard.h"
#include "metrics_server.h"
#include "shutdown.h"
#include "port_links.h"
#include "systemd_notify.h"

#include <cerrno>
#include <cinttypes>
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
  sigaddset(&set, SIGHUP);   // reload (reload.h), not the default action that kills the daemon
  sigaddset(&set, SIGPIPE);  // a control client that hangs up must not kill the daemon
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void print_keying(std::FILE* out, const keying::KeyingController& c) {
  // Identifiers and states only: never key bytes.
  std::fprintf(out, "keying state=%.*s ike=%s tx-an=%d tx-key-id=%016" PRIx64 " rotations=%" PRIu64 " peer=%s\n",
               static_cast<int>(keying::link_state_name(c.state()).size()), keying::link_state_name(c.state()).data(),
               c.ike_state().c_str(), c.tx_an() ? int{*c.tx_an()} : -1, c.tx_key_id().value_or(0),
               c.rotations().total(), c.peer().peer_id.c_str());
  std::fflush(out);
}

void run_event_loop(dpdk::Dataplane& dp, const sigset_t& signals, const DaemonOptions& opts,
                    keying::KeyingController* controller, control::ControlServer* server,
                    ControlHandlers& handlers, const std::function<void()>& on_reload,
                    metrics::MetricsServer* metrics,
                    const std::function<void()>& on_tick,
                    const std::function<void()>& keying_tick) {
  using Clock = std::chrono::steady_clock;
  auto next_stats = Clock::now() + std::chrono::milliseconds(opts.stats_interval_ms);
  auto next_rate_sample = Clock::now();
  bool threshold_logged = false;
  std::vector<std::vector<uint8_t>> kx_frames;
  ControlAbuseLog control_abuse_log;  // the once-a-second control-socket refusal line
  KxGuard kx_guard;  // the workers' priority for our IKE SA; the once-a-second flood line
  for (;;) {
    timespec tick{0, 10'000'000};
    siginfo_t info;
    const int sig = sigtimedwait(&signals, &info, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      systemd_notify::stopping();
      if (controller) close_keying(dp, *controller);  // tell the peer (RFC 7296 1.4.1)
      return;
    }
    if (sig == SIGHUP && on_reload) on_reload();
    systemd_notify::watchdog_tick(Clock::now());  // a wedged loop stops the keep-alives (WatchdogSec=)
    if (sig == SIGUSR1) {
      print_counters(stdout, dp.counters());
      if (controller) print_keying(stdout, *controller);
    }

    if (controller) {
      // In-band frames, IKE timers, make-before-break switch cue, rotation triggers (design §4).
      controller->tick(Clock::now());
      kx_guard.after_tick(dp, *controller, Clock::now());
    } else if (keying_tick) {
      keying_tick();  // split: the IKE process keys us through the channel
    } else {
      // Manual keys: key-exchange frames have no consumer; the workers counted them (KxPunted).
      kx_frames.clear();
      (void)dp.receive_kx(kx_frames, 64);
      // 802.1AE 10.5.2 / design §3: with manual keys nobody rekeys: say so once per SA.
      if (!opts.key_file.empty() && !threshold_logged && dp.sa().tx_threshold_reached()) {
        log(LogLevel::Warning, "the transmit SA has reached its rekey-threshold PN: install a new SA",
            {{"REASON", "PnThreshold"}});
        threshold_logged = true;
      } else if (threshold_logged && !dp.sa().tx_threshold_reached()) {
        threshold_logged = false;  // a new SA is active
      }
    }
    report_link_changes(dp);  // RTNLGRP_LINK drained here, never on a worker
    if (server) server->service(0);
    if (server) control_abuse_log.after_tick(server->stats(), Clock::now());
    if (metrics) metrics->on_tick();  // a scrape waiting for a snapshot (metrics_server.h)
    if (on_tick) on_tick();
    if (Clock::now() >= next_rate_sample) {
      handlers.sample_pn_rates(Clock::now());
      next_rate_sample = Clock::now() + std::chrono::seconds(1);
    }
    if (opts.stats_interval_ms != 0 && Clock::now() >= next_stats) {
      print_counters(stdout, dp.counters());
      next_stats = Clock::now() + std::chrono::milliseconds(opts.stats_interval_ms);
    }
  }
}

}  // namespace linkcrypt::daemon
