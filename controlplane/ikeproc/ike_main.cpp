// linkcrypt-ike: the IKE process of process-model = split. Parses every IKE message and holds the
// IKE SAs' SK_*, but no long-term key (the key holder on fd 4 answers) and no DPDK (the dataplane
// on fd 3 carries its frames and installs its SAKs). Runs unprivileged under seccomp.
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "attached_key_holder.h"
#include "dataplane_channel.h"
#include "ike_log.h"
#include "ike_sandbox.h"
#include "inband_transport.h"
#include "keyholder_sandbox.h"
#include "keying_config.h"
#include "keying_controller.h"
#include "keying_policy.h"
#include "keying_status.h"
#include "options.h"
#include "udp_transport.h"

namespace lc = linkcrypt;
using lc::LogLevel;
using lc::ikeproc::log;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kDataplaneFd = 3;  // the supervisor's socketpair to the dataplane process
constexpr int kKeyHolderFd = 4;  // ... and to this process's key holder
constexpr auto kStatusEvery = std::chrono::milliseconds(100);
constexpr auto kCloseWait = std::chrono::seconds(3);  // SIGTERM: the IKE Delete's answer

bool is_seqpacket(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET;
}

int fatal(const std::string& why) {
  log(LogLevel::Error, "cannot start: " + why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  lc::ikeproc::init_log(LogLevel::Info);
  // The supervisor's death ends us; no core file, not dumpable (SK_* and SAKs in transit).
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (auto e = lc::keyholder::forbid_dumps(); !e.empty()) return fatal(e);
  if (!is_seqpacket(kDataplaneFd) || !is_seqpacket(kKeyHolderFd)) {
    return fatal("fds 3 and 4 are not SOCK_SEQPACKET sockets (linkcryptd's supervisor starts linkcrypt-ike)");
  }
  std::optional<lc::daemon::DaemonOptions> opts;
  try {
    opts = lc::daemon::parse_options(argc, argv);  // linkcryptd's own command line and config file
  } catch (const std::exception& e) {
    return fatal(e.what());
  }
  if (!opts) return 0;
  lc::ikeproc::init_log(lc::parse_log_level(opts->log_level).value_or(LogLevel::Info));

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);  // the supervisor does not forward reloads yet: ignored here
  sigaddset(&sigs, SIGPIPE);
  sigprocmask(SIG_BLOCK, &sigs, nullptr);
  lc::UniqueFd sigfd(signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) return fatal("signalfd failed");

  lc::ikeproc::DataplaneChannel channel{lc::UniqueFd(kDataplaneFd)};
  const auto mac = channel.wait_hello();
  if (!mac) return fatal("the dataplane process closed the channel before its hello");

  auto key = std::make_shared<lc::ikeproc::AttachedKeyHolder>(lc::UniqueFd(kKeyHolderFd), 3000);
  if (opts->keying.auth != "psk") {
    if (auto e = key->fetch_public_key(); !e.empty()) return fatal(e);
  }
  opts->keying.key_holder = "process";
  opts->keying.held_key = key;
  lc::config::KeyingConfig ike;
  if (auto e = lc::config::build_keying_config(opts->keying, ike); !e.empty()) return fatal(e);
  uint64_t m = 0;
  for (uint8_t b : *mac) m = m << 8 | b;
  ike.ike->child.macsec.local_sci = m << 16 | 1;  // 802.1AE 7.1.2: the wire port's MAC ‖ port 1

  // The UDP transport's socket is ours (not the dataplane's): its datagrams are IKE messages
  // only. It is bound here, before the privileges go (port 500 needs root).
  std::unique_ptr<lc::transport::Transport> transport;
  if (opts->transport == "udp") {
    const auto local = lc::transport::SocketAddress::parse(opts->udp_local, opts->udp_port);
    const auto peer = lc::transport::SocketAddress::parse(opts->udp_peer, opts->udp_port);
    if (!local || !peer) return fatal("udp-local / udp-peer are not addresses");
    std::string err;
    auto udp = lc::transport::UdpTransport::open(*local, *peer, opts->udp_port, opts->udp_nat_port, err);
    if (!udp) return fatal("UDP transport: " + err);
    ike.ike->local = udp->local_endpoint();
    ike.ike->remote = udp->peer_endpoint();
    transport = std::move(udp);
  } else {
    transport = std::make_unique<lc::transport::InbandTransport>(channel, opts->kx_ethertype);
  }

  lc::keying::KeyingSetup setup;
  setup.ike = ike.ike;
  setup.initiator = ike.initiator;
  setup.policy = lc::daemon::keying_policy(*opts);
  setup.responder_limits.half_open_limit = opts->ike_half_open_limit;
  setup.responder_limits.cookie_threshold = opts->ike_cookie_threshold;
  setup.log = [](const lc::LogEvent& e) { log(e); };
  setup.forget_keys_after_install = true;  // a SAK lives in the dataplane only, once handed over
  lc::keying::KeyingController controller(std::move(setup), *transport, channel);

  // Everything that opens a file or a socket is done: OpenSSL's configuration now, then the
  // privileges and the system calls go.
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS, nullptr);
  std::string who;
  if (auto e = lc::keyholder::drop_privileges("linkcrypt", who); !e.empty()) return fatal(e);
  if (auto e = lc::ikeproc::enter_ike_seccomp(); !e.empty()) return fatal(e);
  log(LogLevel::Info, std::string("ready: ") + (ike.initiator ? "initiator" : "responder") + ", transport " +
                          std::string(transport->name()) + ", " + who + ", seccomp on");

  std::optional<Clock::time_point> closing_until;
  auto next_status = Clock::now();
  for (;;) {
    pollfd p[3] = {{channel.fd(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {transport->poll_fd(), POLLIN, 0}};
    (void)poll(p, transport->poll_fd() >= 0 ? 3 : 2, 10);
    const auto now = Clock::now();
    signalfd_siginfo si{};
    while (read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && !closing_until) {
        log(LogLevel::Info, "stopping: sending the IKE Delete");
        closing_until = now + kCloseWait;
        if (!controller.close(now)) closing_until = now;  // no IKE SA: nothing to tell the peer
      }
    }
    const bool up = channel.service([&] {
      const std::string why = controller.request_rotation(lc::keying::RotationReason::Operator, Clock::now());
      if (!why.empty()) log(LogLevel::Notice, "rekey request not started: " + why);
    });
    if (!up) {
      // The dataplane died: its SAs died with it. This process ends too; the supervisor starts a
      // new dataplane and a new IKE process, which keys it with fresh SAKs (never the old ones).
      log(LogLevel::Warning, "the dataplane process closed the channel: exiting");
      _exit(3);
    }
    controller.tick(now);
    if (key->gone()) {
      log(LogLevel::Error, "the key holder is gone: exiting so the supervisor restarts both");
      _exit(4);
    }
    if (now >= next_status) {
      channel.send_status(lc::ikeproc::keying_status(controller, now));
      next_status = now + kStatusEvery;
    }
    if (closing_until && (controller.closed() || now >= *closing_until)) {
      channel.send_status(lc::ikeproc::keying_status(controller, now));
      log(LogLevel::Info, controller.closed() ? "stopped: the peer answered the Delete" : "stopped: no answer to the Delete");
      _exit(0);
    }
  }
}
