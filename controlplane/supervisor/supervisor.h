// process-model = split: linkcryptd's parent process. It starts the dataplane, IKE and key-holder processes, hands them their socketpairs, and restarts them.
#pragma once

#include <functional>
#include <string>

#include "log_event.h"

namespace linkcrypt::supervisor {

struct SupervisorSetup {
  int argc = 0;
  char** argv = nullptr;       // linkcryptd's command line: the children parse the same options
  std::string self;            // linkcryptd (run again with --process-role dataplane)
  std::string ike_program;     // linkcrypt-ike
  std::string key_holder_program;
  std::vector<std::string> key_holder_args;  // --psk-file PATH | --private-key-file PATH
  std::function<void(LogLevel, const std::string&)> log;
};

// Runs until SIGTERM/SIGINT (then the IKE process sends its Delete, and the dataplane stops).
// Restarts (at most once a second each):
// - the IKE process or its key holder died: both again; the dataplane keeps its SAs (must-secure),
//   and is handed the new IKE process's socket over its supervisor socket (SCM_RIGHTS);
// - the dataplane died: the IKE process and key holder end too (their SK_* and the IKE SA go),
//   then all three start again and the new IKE SA installs fresh SAKs.
// A child that exits with status 2 (a configuration it refuses) stops everything: returns 2.
int run(const SupervisorSetup& s);

// linkcrypt-ike beside linkcryptd, in ../ikeproc/ (the build tree), or the package's libexec.
[[nodiscard]] std::string find_ike_program();

}  // namespace linkcrypt::supervisor
