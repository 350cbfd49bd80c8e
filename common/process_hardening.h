// Start-up settings for a process that holds keys: no core dumps, no ptrace by peers, a locked OpenSSL heap.
#pragma once

#include <string>

namespace linkcrypt {

// PR_SET_DUMPABLE 0 (no core file; /proc/PID/mem and ptrace need CAP_SYS_PTRACE), RLIMIT_CORE 0
// (also for children), and OpenSSL's secure heap (mlock'ed, MADV_DONTDUMP) so the private keys
// and HMAC keys OpenSSL copies internally stay out of swap and dumps. Call first thing in main,
// before any key is read. Returns "" or what could not be set (the caller logs it: a warning,
// not fatal).
[[nodiscard]] std::string harden_process_for_secrets();

}  // namespace linkcrypt
