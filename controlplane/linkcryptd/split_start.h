// process-model = split: what linkcryptd does as the supervisor, and as its dataplane child.
#pragma once

#include "options.h"
#include "unique_fd.h"

namespace linkcrypt::daemon {

// The supervisor (linkcryptd started by the operator with process-model = split): finds
// linkcrypt-ike and linkcrypt-keyholder, then supervisor::run. Throws ConfigError for what the
// split cannot do (token keys: not yet in the key holder).
[[nodiscard]] int run_split_supervisor(int argc, char** argv, const DaemonOptions& o);

// The dataplane child (--process-role dataplane): dies with the supervisor; returns the
// supervisor socket (fd 3), checked to be SOCK_SEQPACKET. Throws ConfigError otherwise.
[[nodiscard]] UniqueFd enter_dataplane_role();

// The dataplane child once the EAL, the ports and the workers run: PR_SET_NO_NEW_PRIVS, and of
// root's capabilities only those the running ports still use (CAP_NET_RAW, CAP_NET_ADMIN,
// CAP_IPC_LOCK, CAP_SYS_RAWIO) stay effective/permitted. Returns an error line or empty.
[[nodiscard]] std::string dataplane_give_up_privileges();

}  // namespace linkcrypt::daemon
