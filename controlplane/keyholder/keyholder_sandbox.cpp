// forbid_dumps, lock_memory, drop_privileges, enter_seccomp (libseccomp).
#include "keyholder_sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace linkcrypt::keyholder {
namespace {
std::string errno_line(const std::string& what) { return what + ": " + std::strerror(errno); }
}  // namespace

std::string forbid_dumps() {
  const rlimit none{0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) return errno_line("setrlimit(RLIMIT_CORE)");
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return errno_line("prctl(PR_SET_DUMPABLE)");
  return {};
}

std::string lock_memory() {
  // MCL_CURRENT only: the key and OpenSSL's state exist now. MCL_FUTURE would make every later
  // allocation fail once the unprivileged user's RLIMIT_MEMLOCK is reached.
  if (mlockall(MCL_CURRENT) != 0) return errno_line("mlockall");
  return {};
}

std::string drop_privileges(const std::string& user, std::string& who) {
  if (geteuid() != 0) {
    who = "uid " + std::to_string(geteuid()) + " (not started as root: nothing to drop)";
    return {};
  }
  std::string name = user;
  passwd* pw = getpwnam(name.c_str());
  if (!pw && user == "linkcrypt") {
    name = "nobody";  // a build tree or a system without the package's user
    pw = getpwnam(name.c_str());
  }
  if (!pw) return "user " + user + " does not exist";
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (uid == 0) return "user " + name + " is root: refusing to run the key holder as root";
  if (chdir("/") != 0) return errno_line("chdir /");
  if (setgroups(0, nullptr) != 0) return errno_line("setgroups");
  if (setresgid(gid, gid, gid) != 0) return errno_line("setresgid");
  if (setresuid(uid, uid, uid) != 0) return errno_line("setresuid");
  // Leaving uid 0 clears the permitted and effective capabilities; check the way back is shut.
  if (setuid(0) == 0 || seteuid(0) == 0) return "could still regain root after dropping privileges";
  // A credential change resets "dumpable" to fs.suid_dumpable: set it again.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return errno_line("prctl(PR_SET_DUMPABLE)");
  who = "uid " + std::to_string(uid) + " (" + name + ")";
  return {};
}

std::string enter_seccomp(int fd, bool token) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno_line("prctl(PR_SET_NO_NEW_PRIVS)");
  std::unique_ptr<void, decltype(&seccomp_release)> ctx(seccomp_init(SCMP_ACT_KILL_PROCESS), seccomp_release);
  if (!ctx) return "seccomp_init failed";
  const auto sock = static_cast<scmp_datum_t>(fd);
  int rc = 0;
  auto allow = [&](int nr, unsigned count = 0, scmp_arg_cmp cmp = {}) {
    if (rc != 0) return;
    rc = count == 0 ? seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 0)
                    : seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 1, cmp);
  };
  // The socket to linkcryptd, and nothing else to talk to.
  allow(SCMP_SYS(recvfrom), 1, SCMP_A0(SCMP_CMP_EQ, sock));
  allow(SCMP_SYS(sendto), 1, SCMP_A0(SCMP_CMP_EQ, sock));
  allow(SCMP_SYS(recvmsg), 1, SCMP_A0(SCMP_CMP_EQ, sock));
  allow(SCMP_SYS(sendmsg), 1, SCMP_A0(SCMP_CMP_EQ, sock));
  allow(SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, sock));
  // The request log.
  allow(SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
  allow(SCMP_SYS(getpid));
  // Memory for OpenSSL and the C++ runtime; never executable.
  allow(SCMP_SYS(brk));
  allow(SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  allow(SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  allow(SCMP_SYS(munmap));
  allow(SCMP_SYS(mremap));
  allow(SCMP_SYS(madvise));
  allow(SCMP_SYS(futex));
  // OpenSSL: randomness (ECDSA nonces, DRBG reseeds) and the time.
  allow(SCMP_SYS(getrandom));
  allow(SCMP_SYS(clock_gettime));
  allow(SCMP_SYS(gettimeofday));
  allow(SCMP_SYS(rt_sigreturn));
  allow(SCMP_SYS(rt_sigprocmask));
  allow(SCMP_SYS(exit));
  allow(SCMP_SYS(exit_group));
  if (token) {
    // softhsm2 re-reads its token's generation and object files, under fcntl read locks, on
    // every operation (it notices a token that changed or went away). Opened read-only: the
    // key holder never creates or writes a file. A module that talks to a daemon (pcscd,
    // tpm2-abrmd) needs socket/connect as well: docs/hsm.md, "The key holder and the token".
    allow(SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
    allow(SCMP_SYS(read));
    allow(SCMP_SYS(pread64));
    allow(SCMP_SYS(lseek));
    allow(SCMP_SYS(close));
    allow(SCMP_SYS(fcntl));
    allow(SCMP_SYS(newfstatat));
    allow(SCMP_SYS(fstat));
  }
  if (rc != 0) return std::string("seccomp_rule_add: ") + std::strerror(-rc);
  if ((rc = seccomp_load(ctx.get())) != 0) return std::string("seccomp_load: ") + std::strerror(-rc);
  return {};
}

}  // namespace linkcrypt::keyholder
