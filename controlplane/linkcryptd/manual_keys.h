// Installs the SAs of a manual-keying key file into the dataplane (static keys, as `ip macsec`).
#pragma once

#include "key_file.h"
#include "sa_control.h"

#include <string>

namespace linkcrypt::daemon {

// Installs every [rx] SA, then the [tx] SA, and makes the transmit SA active. Logs one line per
// SA with its identifiers (SCI, AN, suite), never key bytes. Throws on bad parameters.
void install_manual_keys(dpdk::SaControl& sa, const config::KeyFile& keys);

}  // namespace linkcrypt::daemon
