// enter_ike_seccomp (libseccomp).
#include "ike_sandbox.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace linkcrypt::ikeproc {

std::string enter_ike_seccomp() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return std::string("prctl(PR_SET_NO_NEW_PRIVS): ") + std::strerror(errno);
  std::unique_ptr<void, decltype(&seccomp_release)> ctx(seccomp_init(SCMP_ACT_KILL_PROCESS), seccomp_release);
  if (!ctx) return "seccomp_init failed";
  int rc = 0;
  auto allow = [&](int nr, unsigned count = 0, scmp_arg_cmp cmp = {}) {
    if (rc != 0) return;
    rc = count == 0 ? seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 0)
                    : seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 1, cmp);
  };
  // Its sockets (dataplane, key holder, the UDP transport's) and its signalfd. It cannot make a
  // new one: socket/connect/bind/open are not on the list.
  for (int nr : {SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(recvmmsg),
                 SCMP_SYS(sendmmsg), SCMP_SYS(read), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(close)}) {
    allow(nr);
  }
  allow(SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));  // the log
  allow(SCMP_SYS(getpid));
  // Memory for OpenSSL, the C++ runtime and the locked secret arena; never executable.
  allow(SCMP_SYS(brk));
  allow(SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  allow(SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  allow(SCMP_SYS(munmap));
  allow(SCMP_SYS(mremap));
  allow(SCMP_SYS(madvise));
  allow(SCMP_SYS(mlock));
  allow(SCMP_SYS(mlock2));
  allow(SCMP_SYS(munlock));
  allow(SCMP_SYS(futex));
  // Key exchange: randomness (nonces, ECDHE) and timers.
  allow(SCMP_SYS(getrandom));
  allow(SCMP_SYS(clock_gettime));
  allow(SCMP_SYS(clock_nanosleep));
  allow(SCMP_SYS(nanosleep));
  allow(SCMP_SYS(gettimeofday));
  allow(SCMP_SYS(rt_sigreturn));
  allow(SCMP_SYS(rt_sigprocmask));
  allow(SCMP_SYS(exit));
  allow(SCMP_SYS(exit_group));
  // A lazy first use inside a library (OpenSSL fetching an algorithm's configuration) may try to
  // open a file: it is refused with EACCES instead of killing the process; nothing gets opened.
  for (int nr : {SCMP_SYS(openat), SCMP_SYS(open)}) {
    if (rc == 0) rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EACCES), nr, 0);
  }
  if (rc != 0) return std::string("seccomp_rule_add: ") + std::strerror(-rc);
  if ((rc = seccomp_load(ctx.get())) != 0) return std::string("seccomp_load: ") + std::strerror(-rc);
  return {};
}

}  // namespace linkcrypt::ikeproc
