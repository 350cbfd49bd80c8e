// linkcryptd's options: command-line flags and the optional INI config file (Boost.Program_options).
#pragma once

#include <sys/types.h>

#include "cipher_suite.h"
#include "config.h"
#include "engine.h"
#include "keying_config.h"
#include "listen_address.h"
#include "mka_config.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace linkcrypt::daemon {

struct DaemonOptions {
  std::vector<std::string> eal_args;  // passed through to rte_eal_init
  std::string plain_port;             // DPDK device arguments
  std::string wire_port;
  uint32_t plain_mtu = 1500;
  uint32_t plain_vlan_tags = 0;       // 802.1Q tags on full-size plain frames: the wire needs +4 each
  std::string key_file;               // manual keying (docs/keyfile.md)
  std::string state_dir = "/var/lib/linkcrypt";  // manual keying: PN reservations (docs/keyfile.md)
  uint64_t pn_reserve_block = uint64_t{1} << 20;  // PNs made durable ahead of the transmit SA
  secy::SecyConfig secy;
  secy::EngineKind engine = secy::EngineKind::IpsecMb;
  uint16_t kx_ethertype = 0x88B5;
  uint32_t mbufs = 8191;
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint32_t idle_sleep_us = 0;
  uint64_t stats_interval_ms = 0;     // 0: counters only on SIGUSR1 and at exit

  // keying: "" (chosen by key-file or local-id/peer-id, as before), "manual", "ike" or "mka".
  std::string keying_mode;
  // MKA keying (docs/mka.md): pre-shared CAK/CKN on the wire port, keying = mka.
  bool mka = false;
  mka_keying::MkaOptions mka_opts;

  // IKE keying (docs/config.md); off when key_file is set.
  bool ike = false;
  config::KeyingOptions keying;
  std::string transport = "inband";   // inband | udp
  std::string udp_local, udp_peer;
  uint16_t udp_port = 500, udp_nat_port = 4500;
  uint64_t rekey_interval_s = 3600, rekey_pn_threshold = 0, rekey_bytes = 0;
  uint64_t ike_rekey_interval_s = 86400;
  uint32_t switch_timeout_ms = 1000, retire_grace_ms = 2000;
  uint32_t reconnect_min_ms = 1000, reconnect_max_ms = 30000;
  // Key-exchange flood limits (docs/security.md): responder half-open IKE SAs, the count from which
  // COOKIEs are demanded, and new-session frames per second the workers pass on.
  uint32_t ike_half_open_limit = 8, ike_cookie_threshold = 2;
  uint32_t kx_new_sa_rate = 200;
  bool must_secure = true;
  // process-model: single (one process does everything) | split (docs/architecture-daemon.md:
  // a supervisor starts a dataplane, an IKE and a key-holder process). process_role is set by the
  // supervisor on the dataplane child's command line ("dataplane"); empty otherwise.
  std::string process_model = "single";
  std::string process_role;
  std::string control_socket = "/run/linkcrypt/linkcryptd.sock";
  // Manual keying opens the control socket only when control-socket is given, so two
  // manually keyed daemons on one host (the dataplane tests) do not fight over the default.
  bool control_socket_enabled = true;
  // control-admin-group: its members may run state-changing commands (rekey); empty: root only.
  std::string control_admin_group;
  std::optional<gid_t> control_admin_gid;  // resolved from control_admin_group at parse time
  std::string audit_log;              // --audit-log FILE: JSON lines, one per long-term key use (docs/hsm.md)
  std::string log = "stderr";         // stderr | syslog | journal (stderr under systemd: journal)
  std::string log_level = "info";     // debug | info | notice | warning | error (SIGHUP may change it)
  std::optional<metrics::ListenAddress> metrics_listen;  // Prometheus /metrics (docs/metrics.md); off when unset
  std::string keylog;                 // --keylog FILE: every SA's keys for offline decryption (docs/keylog.md); off when empty
  bool no_keys = false;               // test/diagnostic: neither key-file nor IKE, nothing is sent
  bool check_only = false;            // --check-config: stop after the checks that need no EAL
};

// A configuration the operator must fix: main prints one line and exits with code 2.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses argv (EAL arguments follow "--" or come from --eal) and, if --config names one, the
// INI file (flags win over the file). Returns nullopt after printing --help or --version. Throws
// ConfigError with a one-line reason on any bad option (caught in main: exit 2); a reason about
// one option says where it was set: "--mbufs ..." or "FILE:LINE: mbufs ...".
[[nodiscard]] std::optional<DaemonOptions> parse_options(int argc, char** argv);

// The checks that depend on the cipher suite, which manual keying learns from the key file:
// rekey-pn-threshold within the PN space, replay-window below 2^30 for XPN (802.1AE 10.6.2).
// Returns an error line starting with the option's name, empty if fine.
[[nodiscard]] std::string check_suite_limits(const DaemonOptions& o, secy::CipherSuite suite);

}  // namespace linkcrypt::daemon
