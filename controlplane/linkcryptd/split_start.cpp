// run_split_supervisor / enter_dataplane_role (split_start.h).
#include "split_start.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "daemon_log.h"
#include "key_holder_program.h"
#include "supervisor.h"

namespace linkcrypt::daemon {

int run_split_supervisor(int argc, char** argv, const DaemonOptions& o) {
  supervisor::SupervisorSetup s;
  s.argc = argc;
  s.argv = argv;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw ConfigError("process-model = split: cannot find linkcryptd's own path");
  s.self.assign(self, static_cast<size_t>(n));
  s.ike_program = supervisor::find_ike_program();
  if (s.ike_program.empty()) throw ConfigError("process-model = split: linkcrypt-ike not found beside linkcryptd or in the libexec directory");
  s.key_holder_program = keyholder::find_key_holder_program();
  if (s.key_holder_program.empty()) throw ConfigError("process-model = split: linkcrypt-keyholder not found beside linkcryptd or in the libexec directory");
  if (o.keying.auth == "psk" && !o.keying.psk_file.empty()) {
    s.key_holder_args = {"--psk-file", o.keying.psk_file};
  } else if (o.keying.auth != "psk" && !o.keying.private_key_file.empty()) {
    s.key_holder_args = {"--private-key-file", o.keying.private_key_file};
  } else {
    throw ConfigError("process-model = split needs psk-file or private-key-file (token keys are not in the key holder yet)");
  }
  s.log = [](LogLevel l, const std::string& m) { log(l, m); };
  log(LogLevel::Info, "process-model split: supervising a dataplane, an IKE and a key-holder process");
  return supervisor::run(s);
}

UniqueFd enter_dataplane_role() {
  // The supervisor's death ends the dataplane: no orphan keeps the ports (and SAKs) without it.
  prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
  if (getppid() == 1) throw ConfigError("--process-role dataplane: the supervisor is already gone");
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    throw ConfigError("--process-role dataplane is set by linkcryptd's supervisor (fd 3 is not its socket)");
  }
  return UniqueFd(3);
}

std::string dataplane_give_up_privileges() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno);
  // Still root (DPDK's af_packet/vfio ports and hugepage files are root's), but without
  // CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_OVERRIDE, CAP_SETUID, ... : the sockets, rings and
  // mappings the ports use are open already.
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int cap : {CAP_NET_RAW, CAP_NET_ADMIN, CAP_IPC_LOCK, CAP_SYS_RAWIO}) {
    data[cap / 32].effective |= 1u << (cap % 32);
    data[cap / 32].permitted |= 1u << (cap % 32);
  }
  if (syscall(SYS_capset, &hdr, data) != 0) return std::string("capset: ") + std::strerror(errno);
  return {};
}

}  // namespace linkcrypt::daemon
