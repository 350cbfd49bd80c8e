// One supervised child: started with posix_spawn and given exactly the sockets it needs as fds 3, 4, ...; watched through its pidfd.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "unique_fd.h"

namespace linkcrypt::supervisor {

struct ChildSpec {
  std::string name;                // "dataplane", "IKE", "key holder": for the log
  std::string program;
  std::vector<std::string> args;   // argv[1..]
  std::vector<int> fds;            // become fds 3, 4, ... in the child; nothing else above 2 is inherited
  bool keep_environment = false;   // the dataplane (EAL, NOTIFY_SOCKET); the others get an empty one
};

class ChildProcess {
 public:
  ChildProcess() = default;
  // posix_spawn (clone(CLONE_VM|CLONE_VFORK) + exec: nothing of ours runs in the child) with
  // the default signal mask and dispositions. Empty string, or why it could not start.
  [[nodiscard]] std::string start(const ChildSpec& spec);
  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] int pidfd() const { return pidfd_.get(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  // Reaps it if it has exited; returns "exited with status N" / "killed by signal N", or empty
  // when it still runs.
  [[nodiscard]] std::string reap_if_exited(int* exit_status = nullptr);
  // Sends `sig` and waits up to wait_ms for it to exit; then SIGKILL. Reaps it.
  void stop(int sig, int wait_ms);

 private:
  std::string name_;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

}  // namespace linkcrypt::supervisor
