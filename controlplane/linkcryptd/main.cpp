// linkcryptd: options → key file → EAL → dataplane → SAs → event loop → counters on exit.
#include "counters_dump.h"
#include "dataplane.h"
#include "eal.h"
#include "event_loop.h"
#include "key_file.h"
#include "manual_keys.h"
#include "options.h"

#include <cstdio>
#include <exception>

namespace {

linkcrypt::dpdk::DataplaneConfig dataplane_config(const linkcrypt::daemon::DaemonOptions& o) {
  linkcrypt::dpdk::DataplaneConfig c;
  c.plain.devargs = o.plain_port;
  c.plain.rx_desc = o.rx_desc;
  c.plain.tx_desc = o.tx_desc;
  c.wire = c.plain;
  c.wire.devargs = o.wire_port;
  c.plain_mtu = o.plain_mtu;
  c.mbuf_count = o.mbufs;
  c.kx_ethertype = o.kx_ethertype;
  c.engine = o.engine;
  c.idle_sleep_us = o.idle_sleep_us;
  c.secy = o.secy;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace linkcrypt;
  try {
    const auto opts = daemon::parse_options(argc, argv);
    if (!opts) return 0;
    // The key file is read before the EAL starts, so a bad one fails fast and cleanly.
    auto keys = std::make_unique<config::KeyFile>();
    if (!opts->key_file.empty()) {
      const std::string err = config::load_key_file(opts->key_file, *keys);
      if (!err.empty()) throw std::runtime_error(err);
    }
    const sigset_t signals = daemon::block_daemon_signals();
    dpdk::Eal eal(opts->eal_args);
    dpdk::Dataplane dp(eal, dataplane_config(*opts));
    std::fprintf(stderr, "linkcryptd: plain port %s (MTU %u), wire port %s (MTU %u), %u worker lcore(s), engine %.*s\n",
                 dp.plain_port().name().c_str(), dp.plain_port().mtu(), dp.wire_port().name().c_str(),
                 dp.wire_port().mtu(), dp.worker_count(), static_cast<int>(dp.engine_description().size()),
                 dp.engine_description().data());
    if (dp.plain_port().mtu() > opts->plain_mtu) {
      std::fprintf(stderr, "linkcryptd: warning: the plain port's MTU %u exceeds --plain-mtu %u: larger frames "
                   "will be dropped as OutPktsTooLong\n", dp.plain_port().mtu(), opts->plain_mtu);
    }
    if (dp.worker_count() > 1 && opts->secy.replay_protect && opts->secy.replay_window < 64 * dp.worker_count()) {
      // Each worker reserves PN blocks per burst and the peer validates on several queues: frames
      // of one SA arrive out of PN order, which a zero window (10.7.8) would drop as late.
      std::fprintf(stderr, "linkcryptd: warning: %u workers reorder frames within an SA; set --replay-window to "
                   "at least %u or frames will be dropped as InPktsLate (XPN: InPktsNotValid)\n",
                   dp.worker_count(), 64 * dp.worker_count());
    }
    if (!opts->key_file.empty()) {
      daemon::install_manual_keys(dp.sa(), *keys);
    } else {
      std::fprintf(stderr, "linkcryptd: no key file: no transmit SA, so every plain frame is dropped "
                   "(must-secure) until keys are installed\n");
    }
    keys.reset();  // SAKs and salts wiped: the SA objects hold their own copies
    dp.start();
    std::fprintf(stderr, "linkcryptd: running (SIGUSR1: print counters; SIGINT/SIGTERM: stop)\n");
    daemon::run_event_loop(dp, signals, *opts);
    dp.stop();
    daemon::print_counters(stdout, dp.counters());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linkcryptd: %s\n", e.what());
    return 1;
  }
}
