// parse_options: flags, INI file, EAL pass-through, and the checks that refuse a bad start.
#include "options.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace linkcrypt::daemon {
namespace po = boost::program_options;
namespace {

secy::ValidateFrames parse_validate(const std::string& s) {
  if (s == "strict") return secy::ValidateFrames::Strict;
  if (s == "check") return secy::ValidateFrames::Check;
  if (s == "disabled") return secy::ValidateFrames::Disabled;
  throw ConfigError("--validate-frames must be strict, check or disabled (802.1AE 10.7.8)");
}

uint16_t parse_ethertype(const std::string& s) {
  size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(s, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  // 0x0600 and up are EtherTypes; below they would be 802.3 lengths.
  if (used != s.size() || v < 0x0600 || v > 0xFFFF || v == 0x88E5) {
    throw ConfigError("--kx-ethertype must be an EtherType from 0x0600 to 0xFFFF other than 0x88E5");
  }
  return static_cast<uint16_t>(v);
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void validate_keying_options(const po::variables_map& vm, DaemonOptions& o) {
  o.ike = !o.keying.local_id.empty() || !o.keying.peer_id.empty();
  if (o.ike && !o.key_file.empty()) {
    throw ConfigError("key-file (manual keys) and IKE keying (local-id/peer-id) are both configured: choose one");
  }
  const char* ike_only[] = {"psk-file", "private-key-file", "peer-public-key-file", "cert-file", "ca-file", "udp-local", "udp-peer"};
  if (!o.ike) {
    for (const char* k : ike_only) {
      if (vm.count(k)) throw ConfigError(std::string(k) + " needs IKE keying: set local-id and peer-id");
    }
  }
  if (!o.must_secure) throw ConfigError("must-secure = false is not supported: linkcryptd never sends plain frames in the clear");
  if (o.transport != "inband" && o.transport != "udp") throw ConfigError("transport must be inband or udp");
  if (o.transport == "udp" && (o.udp_local.empty() || o.udp_peer.empty())) {
    throw ConfigError("transport = udp needs udp-local and udp-peer addresses");
  }
  if (o.log != "stderr" && o.log != "syslog") throw ConfigError("log must be stderr or syslog");
  if (o.control_socket.empty()) throw ConfigError("control-socket must not be empty");
  if (o.reconnect_min_ms == 0 || o.reconnect_max_ms < o.reconnect_min_ms) {
    throw ConfigError("reconnect-min-ms must be > 0 and <= reconnect-max-ms");
  }
  o.keying.integrity_only = !o.secy.confidentiality;
  o.control_socket_enabled = o.ike || !vm["control-socket"].defaulted();
}

}  // namespace

std::optional<DaemonOptions> parse_options(int argc, char** argv) {
  DaemonOptions o;
  // Everything after "--" belongs to the EAL.
  int own_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      own_argc = i;
      for (int j = i + 1; j < argc; ++j) o.eal_args.emplace_back(argv[j]);
      break;
    }
  }

  std::string config_file, validate = "strict", engine = "ipsec-mb", kx = "0x88b5", eal;
  po::options_description desc(
      "linkcryptd: MACsec (IEEE 802.1AE) bump-in-the-wire between a plain and a wire port\n"
      "usage: linkcryptd [options] [-- EAL arguments]\noptions");
  desc.add_options()
      ("help,h", "show this help")
      ("config,c", po::value(&config_file), "INI config file (keys as the long options below)")
      ("eal", po::value(&eal), "EAL arguments, space-separated (alternative to '-- ...')")
      ("plain-port", po::value(&o.plain_port), "plain port: DPDK device arguments (PCI address or vdev, e.g. net_af_packet0,iface=eth1)")
      ("wire-port", po::value(&o.wire_port), "wire port: DPDK device arguments")
      ("plain-mtu", po::value(&o.plain_mtu)->default_value(1500), "largest plain L2 payload carried; the wire port needs this + 32")
      ("key-file", po::value(&o.key_file), "manual keying: key file (mode 0600 or stricter; see docs/keyfile.md)")
      ("validate-frames", po::value(&validate)->default_value("strict"), "strict | check | disabled (802.1AE 10.7.8)")
      ("replay-window", po::value(&o.secy.replay_window)->default_value(0), "replay window in PNs (10.7.8 replayWindow)")
      ("no-replay-protect", po::bool_switch(), "disable replay protection (10.7.8 replayProtect)")
      ("integrity-only", po::bool_switch(), "protect without confidentiality (E=0, C=0)")
      ("engine", po::value(&engine)->default_value("ipsec-mb"), "cipher engine: ipsec-mb | openssl")
      ("kx-ethertype", po::value(&kx)->default_value("0x88b5"), "EtherType of in-band key-exchange frames, punted to the control plane")
      ("mbufs", po::value(&o.mbufs)->default_value(8191), "mbufs in the packet pool")
      ("rx-desc", po::value(&o.rx_desc)->default_value(1024), "RX descriptors per queue")
      ("tx-desc", po::value(&o.tx_desc)->default_value(1024), "TX descriptors per queue")
      ("idle-sleep-us", po::value(&o.idle_sleep_us)->default_value(0), "sleep this long when idle (0: busy poll; veth/CI setups use ~100)")
      ("stats-interval-ms", po::value(&o.stats_interval_ms)->default_value(0), "also print counters this often (0: only on SIGUSR1 and exit)")
      ("suite", po::value(&o.keying.suite)->default_value("gcm-aes-xpn-256"), "IKE-keyed cipher suite: gcm-aes-xpn-256 | gcm-aes-xpn-128 | gcm-aes-256 | gcm-aes-128")
      ("must-secure", po::value(&o.must_secure)->default_value(true), "never send plain frames in the clear without a transmit SA (only true is supported)")
      ("local-id", po::value(&o.keying.local_id), "our IKE identity (FQDN, user@host or IP literal); enables IKE keying")
      ("peer-id", po::value(&o.keying.peer_id), "the identity the peer must present")
      ("role", po::value(&o.keying.role)->default_value("auto"), "auto (lower local-id initiates) | initiator | responder")
      ("auth", po::value(&o.keying.auth)->default_value("psk"), "psk | pubkey | cert")
      ("psk-file", po::value(&o.keying.psk_file), "auth = psk: file holding the pre-shared key (mode 0600)")
      ("private-key-file", po::value(&o.keying.private_key_file), "auth = pubkey/cert: our Ed25519 or P-256 private key, PEM (mode 0600)")
      ("peer-public-key-file", po::value(&o.keying.peer_public_key_file), "auth = pubkey: the peer's public key, PEM")
      ("cert-file", po::value(&o.keying.cert_file), "auth = cert: our X.509 certificate, PEM")
      ("ca-file", po::value(&o.keying.ca_file), "auth = cert: the CA certificate, PEM")
      ("transport", po::value(&o.transport)->default_value("inband"), "inband (EtherType kx-ethertype on the wire port) | udp")
      ("udp-local", po::value(&o.udp_local), "transport = udp: local address")
      ("udp-peer", po::value(&o.udp_peer), "transport = udp: the peer's address")
      ("udp-port", po::value(&o.udp_port)->default_value(500), "transport = udp: IKE port")
      ("udp-nat-port", po::value(&o.udp_nat_port)->default_value(4500), "transport = udp: NAT-T port (non-ESP marker)")
      ("rekey-interval-s", po::value(&o.rekey_interval_s)->default_value(3600), "rotate the MACsec keys this often (0: never)")
      ("rekey-pn-threshold", po::value(&o.rekey_pn_threshold)->default_value(0), "rotate when the transmit PN reaches this (0: 3/4 of the PN space)")
      ("rekey-bytes", po::value(&o.rekey_bytes)->default_value(0), "rotate after this many protected octets (0: never)")
      ("ike-rekey-interval-s", po::value(&o.ike_rekey_interval_s)->default_value(86400), "rekey the IKE SA this often (0: never)")
      ("liveness-interval-ms", po::value(&o.keying.liveness_interval_ms)->default_value(2000), "idle time before a liveness check (0: off)")
      ("retransmit-base-ms", po::value(&o.keying.retransmit_base_ms)->default_value(500), "first IKE retransmission after this long, doubling")
      ("retransmit-limit", po::value(&o.keying.retransmit_limit)->default_value(3), "retransmissions before the peer is declared dead")
      ("switch-timeout-ms", po::value(&o.switch_timeout_ms)->default_value(1000), "responder: switch TX after this long without a validated frame")
      ("retire-grace-ms", po::value(&o.retire_grace_ms)->default_value(2000), "old receive SAs live this long after the TX switch")
      ("reconnect-min-ms", po::value(&o.reconnect_min_ms)->default_value(1000), "first re-establishment back-off")
      ("reconnect-max-ms", po::value(&o.reconnect_max_ms)->default_value(30000), "back-off cap")
      ("control-socket", po::value(&o.control_socket)->default_value("/run/linkcrypt/linkcryptd.sock"), "control socket for linkcryptctl")
      ("log", po::value(&o.log)->default_value("stderr"), "stderr | syslog");

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(own_argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return std::nullopt;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) throw ConfigError("cannot read config file " + path);
      po::store(po::parse_config_file(in, desc), vm);  // flags stored first win
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }

  if (!eal.empty()) {
    auto words = split_words(eal);
    o.eal_args.insert(o.eal_args.begin(), words.begin(), words.end());
  }
  o.secy.validate_frames = parse_validate(validate);
  o.secy.replay_protect = !vm["no-replay-protect"].as<bool>();
  o.secy.confidentiality = !vm["integrity-only"].as<bool>();
  o.secy.include_sci = true;  // transparent bump in the wire: MAC SA is the host's (design §1)
  const auto kind = secy::parse_engine_kind(engine);
  if (!kind) throw ConfigError("--engine must be ipsec-mb or openssl");
  o.engine = *kind;
  o.kx_ethertype = parse_ethertype(kx);
  if (o.plain_port.empty() || o.wire_port.empty()) {
    throw ConfigError("--plain-port and --wire-port are required (DPDK device arguments)");
  }
  if (o.plain_port == o.wire_port) throw ConfigError("--plain-port and --wire-port must differ");
  if (o.plain_mtu < 68 || o.plain_mtu > 9190) throw ConfigError("--plain-mtu must be 68..9190");
  if (o.mbufs < 1024) throw ConfigError("--mbufs must be at least 1024");
  validate_keying_options(vm, o);
  return o;
}

}  // namespace linkcrypt::daemon
