// key-holder = process: start linkcrypt-keyholder before the EAL and give the keying config its client.
#pragma once

#include "options.h"

namespace linkcrypt::daemon {

// Does nothing unless IKE keying with key-holder = process. Throws ConfigError when the key
// holder cannot be found, started, or load the key (its own message is on stderr).
void start_key_holder(DaemonOptions& o);

}  // namespace linkcrypt::daemon
