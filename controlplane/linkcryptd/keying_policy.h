// The rotation policy the options describe: linkcryptd (start-up, SIGHUP) and linkcrypt-ike use the same mapping.
#pragma once

#include "keying_controller.h"
#include "options.h"

namespace linkcrypt::daemon {

[[nodiscard]] keying::KeyingPolicy keying_policy(const DaemonOptions& o);

}  // namespace linkcrypt::daemon
