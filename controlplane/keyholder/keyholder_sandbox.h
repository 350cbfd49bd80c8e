// What the key holder gives up once its key is loaded: core dumps, ptrace by peers, swap, root, capabilities, most system calls.
#pragma once

#include <string>

namespace linkcrypt::keyholder {

// Before the key is read: no core file, not dumpable (no ptrace/proc-mem by same-uid peers).
[[nodiscard]] std::string forbid_dumps();
// After the key is loaded: its pages locked in RAM (never swapped).
[[nodiscard]] std::string lock_memory();
// Root → `user` (groups, gid, uid; all capabilities go with uid 0); "linkcrypt" falls back to
// "nobody" when the package's user does not exist (a build tree). Not root: nothing to drop.
// `who` gets "uid 65534 (nobody)" or the reason nothing changed. Returns an error line.
[[nodiscard]] std::string drop_privileges(const std::string& user, std::string& who);
// PR_SET_NO_NEW_PRIVS and the seccomp allow-list: recv/send on `fd`, write to stderr, memory,
// clock, getrandom, exit. Anything else kills the process. `token`: a PKCS#11 module also
// re-reads its token's files and locks them (softhsm2; see the list in keyholder_sandbox.cpp).
[[nodiscard]] std::string enter_seccomp(int fd, bool token);

}  // namespace linkcrypt::keyholder
