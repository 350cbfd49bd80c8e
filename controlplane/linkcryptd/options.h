// linkcryptd's options: command-line flags and the optional INI config file (Boost.Program_options).
#pragma once

#include "config.h"
#include "engine.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace linkcrypt::daemon {

struct DaemonOptions {
  std::vector<std::string> eal_args;  // passed through to rte_eal_init
  std::string plain_port;             // DPDK device arguments
  std::string wire_port;
  uint32_t plain_mtu = 1500;
  std::string key_file;               // manual keying (docs/keyfile.md)
  secy::SecyConfig secy;
  secy::EngineKind engine = secy::EngineKind::IpsecMb;
  uint16_t kx_ethertype = 0x88B5;
  uint32_t mbufs = 8191;
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint32_t idle_sleep_us = 0;
  uint64_t stats_interval_ms = 0;     // 0: counters only on SIGUSR1 and at exit
};

// Parses argv (EAL arguments follow "--" or come from --eal) and, if --config names one, the
// INI file (flags win over the file). Returns nullopt after printing --help. Throws
// std::runtime_error with a one-line reason on any bad option (caught in main).
[[nodiscard]] std::optional<DaemonOptions> parse_options(int argc, char** argv);

}  // namespace linkcrypt::daemon
