// The daemon's audit trail of the long-term key: journald/syslog lines and the optional --audit-log JSON file.
#pragma once

#include "api/keys.h"
#include "audit.h"
#include "options.h"

namespace linkcrypt::daemon {

// Installs the process-wide sink before the keys are opened; throws ConfigError if the
// --audit-log file cannot be opened.
void install_key_audit(const DaemonOptions& o);
// The sink (`linkcryptctl keys` reads its counts).
[[nodiscard]] custody::AuditSink& key_audit();
// `linkcryptctl keys`: every key opened so far, with its counts.
[[nodiscard]] api::KeysResult keys_result();

}  // namespace linkcrypt::daemon
