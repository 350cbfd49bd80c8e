// Installs the SAs of a manual-keying key file into the dataplane (static keys, as `ip macsec`).
#pragma once

#include "key_file.h"
#include "sa_control.h"

#include <string>

namespace linkcrypt::daemon {

// Installs every [rx] SA, then the [tx] SA, and makes the transmit SA active. Logs one line per
// SA with its identifiers (SCI, AN, suite), never key bytes. Throws on bad parameters.
// The transmit SA starts at tx_first_pn and stops after tx_reserved_through (the durable PN
// reservation, pn_keeper.h; 0: the key file's next-pn and no limit).
void install_manual_keys(dpdk::SaControl& sa, const config::KeyFile& keys, uint64_t tx_first_pn = 0,
                         uint64_t tx_reserved_through = 0);

}  // namespace linkcrypt::daemon
