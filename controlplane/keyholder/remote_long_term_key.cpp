// RemoteLongTermKey: spawn, ask, supervise the key holder (remote_long_term_key.h).
#include "remote_long_term_key.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "keyholder_wire.h"

namespace linkcrypt::keyholder {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kMinRestartInterval = std::chrono::milliseconds(1000);  // a key holder that dies at once is not restarted in a loop

std::string errno_line(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string exit_text(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                                  sigdescr_np(WTERMSIG(status)) + ")";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

// name NUL kind NUL fingerprint (keyholder_wire.h, MsgType::Describe).
custody::KeyDescription parse_description(const std::vector<uint8_t>& b) {
  std::vector<std::string> parts(1);
  for (uint8_t c : b) {
    if (c == 0) {
      parts.emplace_back();
    } else {
      parts.back().push_back(static_cast<char>(c));
    }
  }
  if (parts.size() != 3) return {"key holder", "unknown", ""};
  return {parts[0], parts[1], parts[2]};
}

}  // namespace

RemoteLongTermKey::RemoteLongTermKey(KeyHolderSpec spec) : spec_(std::move(spec)) {}

std::shared_ptr<RemoteLongTermKey> RemoteLongTermKey::start(KeyHolderSpec spec, std::string& error) {
  auto k = std::make_shared<RemoteLongTermKey>(std::move(spec));
  k->stop_.reset(eventfd(0, EFD_CLOEXEC));
  if (!k->stop_.valid()) {
    error = errno_line("eventfd");
    return nullptr;
  }
  {
    std::lock_guard lock(k->mu_);
    if (auto e = k->spawn_locked(); !e.empty()) {
      error = e;
      return nullptr;
    }
    // The first answer says the key loaded and the sandbox is up; it also brings the public key.
    auto r = k->call_locked(static_cast<int>(MsgType::PublicKey), ike::Prf::HmacSha2_256, {}, {});
    if (!r.ok()) {
      // An answer is the key holder's own refusal (the key did not load: its reason, typed, as
      // in process); no answer means it died or hung.
      const bool answered = k->sock_.valid();
      error = answered ? r.detail : "the key holder " + k->spec_.program + " did not start: " + r.detail;
      k->reap_locked(true);
      return nullptr;
    }
    k->public_key_ = std::move(r.bytes);
    auto d = k->call_locked(static_cast<int>(MsgType::Describe), ike::Prf::HmacSha2_256, {}, {});
    k->description_ = parse_description(d.ok() ? d.bytes : std::vector<uint8_t>{});
  }
  // The watcher must not take the daemon's signals (SIGTERM, SIGHUP ... go to the event loop).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  k->watcher_ = std::thread([raw = k.get()] { raw->watch(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return k;
}

RemoteLongTermKey::~RemoteLongTermKey() {
  if (watcher_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = write(stop_.get(), &one, sizeof one);
    watcher_.join();
  }
  std::lock_guard lock(mu_);
  reap_locked(false);
}

std::string RemoteLongTermKey::spawn_locked() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return errno_line("socketpair");
  UniqueFd ours(sv[0]);
  // Above 3, so that dup2 onto 3 always makes a fresh descriptor without FD_CLOEXEC.
  UniqueFd theirs(fcntl(sv[1], F_DUPFD_CLOEXEC, 10));
  ::close(sv[1]);
  if (!theirs.valid()) return errno_line("fcntl(F_DUPFD_CLOEXEC)");

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, theirs.get(), 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);  // nothing else of the daemon's (DPDK, sockets) leaks in
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv{const_cast<char*>(spec_.program.c_str())};
  for (auto& a : spec_.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : spec_.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  // glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK) + exec: the daemon's memory (hugepages,
  // DPDK state) is never copied and no code of ours runs in the child, so this is safe after
  // the EAL started (fork() is not).
  const int rc = posix_spawn(&pid, spec_.program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return "cannot start " + spec_.program + ": " + std::strerror(rc);
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    const std::string e = errno_line("pidfd_open");
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return e;
  }
  pid_ = pid;
  sock_ = std::move(ours);
  pidfd_ = std::move(pidfd);
  log(LogLevel::Debug, "key holder started (pid " + std::to_string(pid) + ")");  // it logs "ready" itself
  return {};
}

void RemoteLongTermKey::reap_locked(bool kill_it) {
  if (pid_ < 0) return;
  sock_.reset();  // EOF: a live key holder exits on its own
  if (kill_it) ::kill(pid_, SIGKILL);
  pollfd p{pidfd_.get(), POLLIN, 0};
  if (poll(&p, 1, 1000) == 0) ::kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

ike::KeyResult RemoteLongTermKey::call_locked(int type, ike::Prf prf, std::span<const uint8_t> octets,
                                              const ike::KeyUseContext& use) {
  using ike::KeyError;
  using ike::KeyResult;
  if (!sock_.valid()) return KeyResult::fail(KeyError::Unavailable, "no key holder is running (it is being restarted)");
  if (octets.size() > kMaxOctets) return KeyResult::fail(KeyError::Failed, "signed octets too large for the key holder");
  Request q;
  q.type = static_cast<MsgType>(type);
  q.id = next_id_++;
  q.prf = prf;
  q.use = use;
  q.octets.assign(octets.begin(), octets.end());
  const auto out = encode_request(q);
  // A key holder that fails us is killed: the watcher reaps it and starts a fresh one.
  auto give_up = [&](const std::string& why) {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
    sock_.reset();
    log(LogLevel::Warning, "key holder (pid " + std::to_string(pid_) + ") " + why + ": restarting it");
    return KeyResult::fail(KeyError::Unavailable, "the key holder " + why);
  };
  if (send(sock_.get(), out.data(), out.size(), MSG_NOSIGNAL) < 0) return give_up(errno_line("is gone (send)"));
  std::vector<uint8_t> buf(kMaxFrame + 1);
  const auto deadline = Clock::now() + std::chrono::milliseconds(spec_.timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{sock_.get(), POLLIN, 0};
    const int n = left > 0 ? poll(&p, 1, static_cast<int>(left)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return give_up("did not answer within " + std::to_string(spec_.timeout_ms) + " ms");
    if (n < 0) return give_up(errno_line("poll"));
    const ssize_t got = recv(sock_.get(), buf.data(), buf.size(), 0);
    if (got == 0) return give_up("exited");
    if (got < 0) {
      if (errno == EINTR) continue;
      return give_up(errno_line("recv"));
    }
    auto a = parse_answer({buf.data(), static_cast<size_t>(got)});
    if (!a) return give_up("sent a malformed answer");
    if (a->id != q.id) continue;  // the late answer to a request that timed out
    return std::move(a->result);
  }
}

ike::KeyResult RemoteLongTermKey::psk_auth(ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use) {
  std::lock_guard lock(mu_);
  return call_locked(static_cast<int>(MsgType::PskAuth), prf, octets, use);
}

ike::KeyResult RemoteLongTermKey::sign(std::span<const uint8_t> octets, const ike::KeyUseContext& use) {
  std::lock_guard lock(mu_);
  return call_locked(static_cast<int>(MsgType::Sign), ike::Prf::HmacSha2_256, octets, use);
}

pid_t RemoteLongTermKey::pid() const {
  std::lock_guard lock(mu_);
  return pid_;
}

unsigned RemoteLongTermKey::restarts() const {
  std::lock_guard lock(mu_);
  return restarts_;
}

void RemoteLongTermKey::watch() {
  auto last_spawn = Clock::now();
  for (;;) {
    int pidfd = -1;
    {
      std::lock_guard lock(mu_);
      pidfd = pidfd_.get();  // only this thread replaces it
    }
    pollfd p[2] = {{stop_.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    // No child (a restart failed): try again after the interval.
    const int n = poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : static_cast<int>(kMinRestartInterval.count()));
    if (n < 0 && errno == EINTR) continue;
    if (p[0].revents != 0) return;
    if (pidfd >= 0 && p[1].revents == 0) continue;
    const auto since = Clock::now() - last_spawn;
    if (since < kMinRestartInterval) {
      pollfd s{stop_.get(), POLLIN, 0};
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kMinRestartInterval - since).count();
      if (poll(&s, 1, static_cast<int>(wait)) > 0) return;
    }
    std::lock_guard lock(mu_);
    if (pid_ > 0) {
      int status = 0;
      const pid_t dead = pid_;
      sock_.reset();
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      pidfd_.reset();
      log(LogLevel::Warning, "key holder (pid " + std::to_string(dead) + ") " + exit_text(status) +
                                 ": restarting it; installed SAs stay up, handshakes wait for it");
    }
    last_spawn = Clock::now();
    if (auto e = spawn_locked(); !e.empty()) {
      log(LogLevel::Error, "key holder restart failed: " + e);
      continue;
    }
    ++restarts_;
  }
}

void RemoteLongTermKey::log(LogLevel level, const std::string& line) const {
  if (spec_.log) spec_.log(LogEvent{level, line, {{"REASON", "key-holder"}}});
}

}  // namespace linkcrypt::keyholder
