// SIGHUP: re-read the config file and command line, apply what can change without dropping the SA, say what was done.
#pragma once

#include "dataplane_keys.h"
#include "keying_controller.h"
#include "keying_policy.h"
#include "options.h"

namespace linkcrypt::daemon {

struct ReloadContext {
  int argc = 0;            // main's argv: --config and the flags that override it
  char** argv = nullptr;
  DaemonOptions* running = nullptr;               // updated with what was applied
  keying::KeyingController* controller = nullptr;  // null: manual keys
  DataplaneKeySink* sink = nullptr;                // null: manual keys
};

// Re-parses with parse_options (the file again, flags over it) and applies: log-level; the
// rotation triggers and IKE back-off/grace timers at once; credentials (psk-file,
// private-key-file, peer-public-key-file, cert-file, ca-file) and IKE liveness/retransmission
// timers for the next handshake; rekey-pn-threshold for the next transmit SA. Every other
// changed option is logged as ignored (needs restart). One log line per thing done or refused.
// A config that does not parse, or credentials that do not load, keep the running values and
// the line says why. Never throws.
void reload_config(const ReloadContext& ctx);

}  // namespace linkcrypt::daemon
