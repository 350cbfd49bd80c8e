// ChildProcess: posix_spawn with fds 3.., pidfd_open, waitid, stop.
#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace linkcrypt::supervisor {

std::string ChildProcess::start(const ChildSpec& spec) {
  name_ = spec.name;
  // Copies above the target numbers, so that each dup2 makes a fresh descriptor without FD_CLOEXEC.
  std::vector<UniqueFd> high;
  for (int fd : spec.fds) {
    high.emplace_back(fcntl(fd, F_DUPFD_CLOEXEC, 10));
    if (!high.back().valid()) return std::string("fcntl(F_DUPFD_CLOEXEC): ") + std::strerror(errno);
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (size_t i = 0; i < high.size(); ++i) posix_spawn_file_actions_adddup2(&fa, high[i].get(), static_cast<int>(3 + i));
  posix_spawn_file_actions_addclosefrom_np(&fa, static_cast<int>(3 + high.size()));
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv{const_cast<char*>(spec.program.c_str())};
  for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  char* empty_env[] = {nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, spec.program.c_str(), &fa, &attr, argv.data(), spec.keep_environment ? environ : empty_env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return "cannot start " + spec.program + ": " + std::strerror(rc);
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    const std::string e = std::string("pidfd_open: ") + std::strerror(errno);
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return e;
  }
  pid_ = pid;
  pidfd_ = std::move(pidfd);
  return {};
}

std::string ChildProcess::reap_if_exited(int* exit_status) {
  if (pid_ <= 0) return {};
  siginfo_t si{};
  if (waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG) != 0 || si.si_pid == 0) return {};
  pid_ = -1;
  pidfd_.reset();
  if (exit_status) *exit_status = si.si_code == CLD_EXITED ? si.si_status : -1;
  if (si.si_code == CLD_EXITED) return "exited with status " + std::to_string(si.si_status);
  return "killed by signal " + std::to_string(si.si_status);
}

void ChildProcess::stop(int sig, int wait_ms) {
  if (pid_ <= 0) return;
  ::kill(pid_, sig);
  pollfd p{pidfd_.get(), POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  pidfd_.reset();
}

}  // namespace linkcrypt::supervisor
