// The forged-notify part of bench_ike (issue 15.1): how many forged IKE_SA_INIT answers one core absorbs.
#pragma once

namespace linkcrypt::bench {

// Forged NO_PROPOSAL_CHOSEN answers per second of thread CPU time that a waiting initiator
// parses, counts and ignores (RFC 7296 2.21.1), routed as the daemon routes them (peek_header,
// owns). Exits non-zero if the session does not survive them and key with the genuine answer.
double forged_notifies_per_s(int n);

}  // namespace linkcrypt::bench
