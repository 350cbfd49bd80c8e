// The key holder's request loop: one request datagram in, one answer out, nothing else answered.
#pragma once

#include "long_term_key.h"

namespace linkcrypt::keyholder {

// Serves requests on `fd` (a SOCK_SEQPACKET socket) until the peer hangs up; returns the exit
// status (0 on a clean hang-up, 1 on a socket error).
int serve(int fd, ike::LongTermKey& key);

}  // namespace linkcrypt::keyholder
