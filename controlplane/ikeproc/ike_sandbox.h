// The IKE process's seccomp allow-list (it drops privileges with the key holder's drop_privileges).
#pragma once

#include <string>

namespace linkcrypt::ikeproc {

// PR_SET_NO_NEW_PRIVS and an allow-list: send/receive and poll on the sockets it already has,
// read on its signalfd, write to stderr, memory (never executable), mlock for secret pages,
// clock, getrandom, exit. open/openat fail with EACCES; socket, connect, bind, execve, fork,
// ptrace and anything else not listed kill the process (SCMP_ACT_KILL_PROCESS) and the
// supervisor starts a new one.
[[nodiscard]] std::string enter_ike_seccomp();

}  // namespace linkcrypt::ikeproc
