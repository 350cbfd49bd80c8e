// key-holder = process: start linkcrypt-keyholder before the EAL, and a new one on SIGHUP; give the keying config its client.
#pragma once

#include <memory>
#include <string>

#include "keying_config.h"
#include "options.h"

namespace linkcrypt::daemon {

// Does nothing unless IKE keying with key-holder = process. Throws ConfigError when the key
// holder cannot be found, started, or load the key (its reason is in the message).
void start_key_holder(DaemonOptions& o);

// A new key holder for `k`'s key options (psk-file/-uri or private-key-file/-uri, pkcs11-module,
// pin-file: it reads them, linkcryptd does not). nullptr and one error line when it cannot start
// or its key does not load. SIGHUP uses this to load a new key while the old key holder keeps
// answering: the switch happens only once the new one answers.
// `quiet` (--check-config): the key holder logs no ready line.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> start_key_holder(const config::KeyingOptions& k, std::string& error,
                                                                 bool quiet = false);

}  // namespace linkcrypt::daemon
