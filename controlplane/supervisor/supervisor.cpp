// run: start the three children, watch their pidfds and the signals, restart what died (supervisor.h).
#include "supervisor.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <csignal>
#include <thread>

#include "child_process.h"
#include "seqpacket.h"

namespace linkcrypt::supervisor {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRestartGap = std::chrono::seconds(1);

class Supervisor {
 public:
  explicit Supervisor(const SupervisorSetup& s) : s_(s) {}
  int run();

 private:
  std::string start_dataplane();
  std::string start_ike();
  void stop_ike();
  void log(LogLevel l, const std::string& m) const {
    if (s_.log) s_.log(l, "supervisor: " + m);
  }
  // Waits out the rest of the restart gap since `last`.
  static void pace(Clock::time_point& last) {
    const auto next = last + kRestartGap;
    if (Clock::now() < next) std::this_thread::sleep_until(next);
    last = Clock::now();
  }

  const SupervisorSetup& s_;
  ChildProcess dataplane_, ike_, key_holder_;
  UniqueFd to_dataplane_;  // our end of the dataplane's supervisor socket (its fd 3)
  Clock::time_point dataplane_started_{}, ike_started_{};
};

std::string Supervisor::start_dataplane() {
  UniqueFd ours, theirs;
  if (!ipc::seqpacket_pair(ours, theirs)) return "socketpair failed";
  ChildSpec c;
  c.name = "dataplane";
  c.program = s_.self;
  c.args = {"--process-role", "dataplane"};
  for (int i = 1; i < s_.argc; ++i) c.args.emplace_back(s_.argv[i]);
  c.fds = {theirs.get()};
  c.keep_environment = true;
  if (auto e = dataplane_.start(c); !e.empty()) return e;
  to_dataplane_ = std::move(ours);
  log(LogLevel::Info, "dataplane process started (pid " + std::to_string(dataplane_.pid()) + ")");
  return {};
}

std::string Supervisor::start_ike() {
  UniqueFd ike_dp, dp_ike, ike_kh, kh_ike;
  if (!ipc::seqpacket_pair(ike_dp, dp_ike) || !ipc::seqpacket_pair(ike_kh, kh_ike)) return "socketpair failed";
  ChildSpec kh;
  kh.name = "key holder";
  kh.program = s_.key_holder_program;
  kh.args = s_.key_holder_args;
  kh.fds = {kh_ike.get()};
  if (auto e = key_holder_.start(kh); !e.empty()) return e;
  ChildSpec ike;
  ike.name = "IKE";
  ike.program = s_.ike_program;
  for (int i = 1; i < s_.argc; ++i) ike.args.emplace_back(s_.argv[i]);
  ike.fds = {ike_dp.get(), ike_kh.get()};
  if (auto e = ike_.start(ike); !e.empty()) return e;
  // The dataplane's end of the new channel: the only descriptor passed after start-up, and only
  // from this process to the dataplane (docs/architecture-daemon.md).
  if (!ipc::send_fd(to_dataplane_.get(), dp_ike.get())) log(LogLevel::Warning, "could not hand the dataplane the IKE channel");
  log(LogLevel::Info, "IKE process started (pid " + std::to_string(ike_.pid()) + "), key holder (pid " +
                          std::to_string(key_holder_.pid()) + ")");
  return {};
}

void Supervisor::stop_ike() {
  ike_.stop(SIGKILL, 1000);
  key_holder_.stop(SIGKILL, 1000);
}

int Supervisor::run() {
  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGPIPE, SIGCHLD}) sigaddset(&sigs, s);
  sigprocmask(SIG_BLOCK, &sigs, nullptr);
  UniqueFd sigfd(signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) {
    log(LogLevel::Error, "signalfd failed");
    return 1;
  }
  dataplane_started_ = ike_started_ = Clock::now();
  if (auto e = start_dataplane(); !e.empty()) {
    log(LogLevel::Error, e);
    return 1;
  }
  if (auto e = start_ike(); !e.empty()) {
    log(LogLevel::Error, e);
    dataplane_.stop(SIGTERM, 5000);
    return 1;
  }
  for (;;) {
    pollfd p[4] = {{sigfd.get(), POLLIN, 0}, {dataplane_.pidfd(), POLLIN, 0}, {ike_.pidfd(), POLLIN, 0},
                   {key_holder_.pidfd(), POLLIN, 0}};
    (void)poll(p, 4, 1000);
    signalfd_siginfo si{};
    while (read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
        log(LogLevel::Info, "stopping: the IKE process first (it sends the Delete), then the dataplane");
        ike_.stop(SIGTERM, 4000);
        key_holder_.stop(SIGTERM, 1000);
        dataplane_.stop(SIGTERM, 10000);
        return 0;
      }
      if (si.ssi_signo == SIGHUP || si.ssi_signo == SIGUSR1) {
        if (dataplane_.running()) ::kill(dataplane_.pid(), static_cast<int>(si.ssi_signo));  // its reload / counters
      }
    }
    int status = 0;
    const pid_t dp_pid = dataplane_.pid();
    if (auto how = dataplane_.reap_if_exited(&status); !how.empty()) {
      if (status == 2) {
        log(LogLevel::Error, "dataplane process (pid " + std::to_string(dp_pid) + ") refused its configuration: stopping");
        stop_ike();
        return 2;
      }
      log(LogLevel::Warning, "dataplane process (pid " + std::to_string(dp_pid) + ") " + how +
                                 ": ending the IKE process with it and restarting all (fresh keys)");
      stop_ike();
      pace(dataplane_started_);
      if (auto e = start_dataplane(); !e.empty()) {
        log(LogLevel::Error, e);
        return 1;
      }
      ike_started_ = Clock::now();
      if (auto e = start_ike(); !e.empty()) log(LogLevel::Error, e);
      continue;
    }
    const pid_t ike_pid = ike_.pid(), kh_pid = key_holder_.pid();
    std::string ike_how = ike_.reap_if_exited(&status);
    if (!ike_how.empty() && status == 2) {
      log(LogLevel::Error, "IKE process (pid " + std::to_string(ike_pid) + ") refused its configuration: stopping");
      key_holder_.stop(SIGKILL, 1000);
      dataplane_.stop(SIGTERM, 10000);
      return 2;
    }
    std::string kh_how = key_holder_.reap_if_exited();
    if (ike_how.empty() && kh_how.empty() && (ike_.running() || key_holder_.running())) continue;
    if (!ike_how.empty()) {
      log(LogLevel::Warning, "IKE process (pid " + std::to_string(ike_pid) + ") " + ike_how +
                                 ": the dataplane keeps its SAs (must-secure); restarting it with its key holder");
    } else if (!kh_how.empty()) {
      log(LogLevel::Warning, "key holder (pid " + std::to_string(kh_pid) + ") " + kh_how +
                                 ": restarting it with a new IKE process; the dataplane keeps its SAs");
    }
    stop_ike();
    pace(ike_started_);
    if (auto e = start_ike(); !e.empty()) log(LogLevel::Error, e);
  }
}

}  // namespace

int run(const SupervisorSetup& s) { return Supervisor(s).run(); }

std::string find_ike_program() {
  std::string dir;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    dir.assign(self, static_cast<size_t>(n));
    dir.erase(dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/'));
  }
  for (const std::string& p : {dir + "/linkcrypt-ike", dir + "/../ikeproc/linkcrypt-ike", std::string(LINKCRYPT_IKE_INSTALLED)}) {
    if ((!dir.empty() || p[0] == '/') && access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

}  // namespace linkcrypt::supervisor
