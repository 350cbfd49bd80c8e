// parse_options: flags, INI file, EAL pass-through, and the checks that refuse a bad start.
#include "options.h"

#include <grp.h>

#include "config_file.h"
#include "mka_options.h"
#include "option_ranges.h"
#include "replay_bitmap.h"
#include "version.h"
#include "log_event.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace linkcrypt::daemon {
namespace po = boost::program_options;
namespace {

// Boost adds where the value came from: "--mbufs" on the command line, "mbufs" in the file.
struct OutOfRange : po::error_with_option_name {
  OutOfRange(const std::string& value, const std::string& range)
      : po::error_with_option_name("%canonical_option% must be a number in " + range + ", not '%value%'") {
    set_substitute("value", value);
  }
};

// A numeric option kept as text until parse_in_range has checked it: the check runs when the value
// is stored, so an error names the flag or the file line it came from. notify() writes the number.
class RangedValue : public po::typed_value<std::string> {
 public:
  template <typename T>
  RangedValue(T* target, NumericRange r, const std::string& default_text, const std::string& name)
      : po::typed_value<std::string>(nullptr), range_(r), shown_(name.empty() ? range_text(r) : name) {
    static_assert(std::is_unsigned_v<T>);
    if (r.max > std::numeric_limits<T>::max()) throw std::logic_error("range wider than the option's type");
    value_name(shown_);
    default_value(default_text.empty() ? std::to_string(*target) : default_text);
    notifier([target, r](const std::string& text) {
      const auto v = parse_in_range(text, r);
      if (!v) throw std::logic_error("default value out of its own range");  // stored values were checked
      *target = static_cast<T>(*v);
    });
  }
  void xparse(boost::any& store, const std::vector<std::string>& tokens) const override {
    po::typed_value<std::string>::xparse(store, tokens);
    const auto& text = boost::any_cast<const std::string&>(store);
    if (!parse_in_range(text, range_)) throw OutOfRange(text, shown_);
  }

 private:
  NumericRange range_;
  std::string shown_;  // the range as --help and the errors show it
};

template <typename T>
RangedValue* ranged(T* target, NumericRange r, const std::string& default_text = "", const std::string& name = "") {
  return new RangedValue(target, r, default_text, name);  // owned by the options_description
}

// Names an option the way the operator gave it: "--mbufs" or "/etc/linkcrypt/a.conf:12: mbufs".
class Origins {
 public:
  Origins(std::set<std::string> flags, const ConfigFileLines& file) : flags_(std::move(flags)), file_(file) {}
  [[nodiscard]] std::string operator()(const std::string& name) const {
    const auto it = file_.line_of.find(name);
    if (flags_.count(name) != 0 || it == file_.line_of.end()) return "--" + name;
    return file_.path + ":" + std::to_string(it->second) + ": " + name;
  }

 private:
  std::set<std::string> flags_;
  const ConfigFileLines& file_;
};

secy::ValidateFrames parse_validate(const std::string& s, const Origins& at) {
  if (s == "strict") return secy::ValidateFrames::Strict;
  if (s == "check") return secy::ValidateFrames::Check;
  if (s == "disabled") return secy::ValidateFrames::Disabled;
  throw ConfigError(at("validate-frames") + " must be strict, check or disabled (802.1AE 10.7.8), not '" + s + "'");
}

// --replay-check: window (802.1AE 10.6.2 alone) or strict (also a bitmap of the PNs delivered
// inside the window, so a duplicate inside it is dropped: InPktsDuplicate).
bool parse_replay_check(const std::string& s, uint32_t window, const Origins& at) {
  if (s == "window") return false;
  if (s != "strict") throw ConfigError(at("replay-check") + " must be window or strict, not '" + s + "'");
  if (window > secy::ReplayBitmap::kMaxWindow) {
    throw ConfigError(at("replay-check") + " strict needs replay-window <= " +
                      std::to_string(secy::ReplayBitmap::kMaxWindow) + ", not " + std::to_string(window));
  }
  return true;
}

std::string hex16(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void validate_keying_options(const po::variables_map& vm, DaemonOptions& o, const Origins& at) {
  o.ike = !o.keying.local_id.empty() || !o.keying.peer_id.empty();
  // keying = mka and every mka-* option: their own checks, and no option of another mode mixed in.
  if (std::string err = check_keying_mode(vm, o, [&at](const std::string& n) { return at(n); }); !err.empty()) {
    throw ConfigError(err);
  }

  if (o.ike && !o.key_file.empty()) {
    throw ConfigError(at("key-file") + ": manual keys and IKE keying (local-id/peer-id) are both configured: choose one");
  }
  if (o.no_keys && (o.ike || !o.key_file.empty())) {
    throw ConfigError(at("no-keys") + " starts without keys: it cannot go with " + (o.ike ? "local-id/peer-id" : "key-file"));
  }
  if (!o.ike && !o.mka && o.key_file.empty() && !o.no_keys) {
    throw ConfigError("no keying configured: set key-file (manual keys, docs/keyfile.md), local-id and peer-id (IKE) or keying = mka (docs/mka.md)");
  }
  const char* ike_only[] = {"psk-file", "private-key-file", "peer-public-key-file", "cert-file", "ca-file", "udp-local", "udp-peer", "psk-uri", "private-key-uri", "pkcs11-module", "pin-file", "audit-log", "ppk-id", "ppk-file"};
  if (!o.ike) {
    for (const char* k : ike_only) {
      if (vm.count(k)) throw ConfigError(at(k) + " needs IKE keying: set local-id and peer-id");
    }
  }
  if (o.process_model != "single" && o.process_model != "split") throw ConfigError(at("process-model") + " must be single or split, not '" + o.process_model + "'");
  if (o.process_model == "split" && !o.ike) throw ConfigError(at("process-model") + " = split needs IKE keying (local-id/peer-id): manual keys have no IKE process");
  if (o.process_model == "split") o.keying.key_holder = "process";  // the IKE process never holds the long-term key
  if (!o.process_role.empty() && o.process_role != "dataplane") throw ConfigError("--process-role must be dataplane, not '" + o.process_role + "'");
  if (!o.must_secure) throw ConfigError(at("must-secure") + " = false is not supported: linkcryptd never sends plain frames in the clear");
  if (o.transport != "inband" && o.transport != "udp") throw ConfigError(at("transport") + " must be inband or udp, not '" + o.transport + "'");
  if (o.transport == "udp" && (o.udp_local.empty() || o.udp_peer.empty())) {
    throw ConfigError(at("transport") + " = udp needs udp-local and udp-peer addresses");
  }
  if (o.transport == "udp" && o.udp_port == o.udp_nat_port) {
    throw ConfigError(at("udp-nat-port") + " must differ from udp-port (" + std::to_string(o.udp_port) + ")");
  }
  if (o.log != "stderr" && o.log != "syslog" && o.log != "journal") throw ConfigError(at("log") + " must be stderr, syslog or journal, not '" + o.log + "'");
  if (!parse_log_level(o.log_level)) throw ConfigError(at("log-level") + " must be debug, info, notice, warning or error, not '" + o.log_level + "'");
  if (o.control_socket.empty()) throw ConfigError(at("control-socket") + " must not be empty");
  if (!o.control_admin_group.empty()) {
    const group* g = ::getgrnam(o.control_admin_group.c_str());
    if (!g) throw ConfigError(at("control-admin-group") + " '" + o.control_admin_group + "' is not a group on this host");
    o.control_admin_gid = g->gr_gid;
  }
  if (o.reconnect_max_ms < o.reconnect_min_ms) {
    throw ConfigError(at("reconnect-max-ms") + " " + std::to_string(o.reconnect_max_ms) + " is below reconnect-min-ms " +
                      std::to_string(o.reconnect_min_ms));
  }
  if (o.ike_cookie_threshold >= o.ike_half_open_limit) {
    // Otherwise the half-open limit refuses INITs before any COOKIE is sent (issue 15): a flood
    // then locks a restarting peer out instead of costing it one round trip.
    throw ConfigError(at("ike-cookie-threshold") + " " + std::to_string(o.ike_cookie_threshold) +
                      " must be below ike-half-open-limit " + std::to_string(o.ike_half_open_limit) +
                      ": cookies must engage before new IKE SAs are refused");
  }
  const std::string& role = o.keying.role;
  if (role != "auto" && role != "initiator" && role != "responder") {
    throw ConfigError(at("role") + " must be auto, initiator or responder, not '" + role + "'");
  }
  const std::string& auth = o.keying.auth;
  if (auth != "psk" && auth != "pubkey" && auth != "cert") {
    throw ConfigError(at("auth") + " must be psk, pubkey or cert, not '" + auth + "'");
  }
  const auto suite = secy::parse_cipher_suite(o.keying.suite);
  if (!suite) {
    throw ConfigError(at("suite") + " must be one of " + std::string(secy::cipher_suite_names()) + ", not '" +
                      o.keying.suite + "'");
  }
  if (o.ike) {
    if (std::string err = check_suite_limits(o, *suite); !err.empty()) {
      // The message starts with the option's name: say where it was set instead.
      const std::string name = err.substr(0, err.find(' '));
      throw ConfigError(err.replace(0, name.size(), at(name)));
    }
  }
  o.keying.integrity_only = !o.secy.confidentiality;
  o.control_socket_enabled = o.ike || o.mka || !vm["control-socket"].defaulted();
}

}  // namespace

std::string check_suite_limits(const DaemonOptions& o, secy::CipherSuite suite) {
  const std::string name(secy::cipher_suite_name(suite));
  if (o.rekey_pn_threshold > secy::max_pn(suite)) {
    return "rekey-pn-threshold " + std::to_string(o.rekey_pn_threshold) + " is beyond the 32-bit PN space of " + name +
           " (at most 4294967295)";
  }
  // 802.1AE-2018 10.6.2: an XPN receiver recovers the PN's high half only within 2^30 of nextPN.
  if (secy::is_xpn(suite) && o.secy.replay_window >= (1u << 30)) {
    return "replay-window " + std::to_string(o.secy.replay_window) + " is too large for " + name +
           ": XPN suites need it below 2^30 = 1073741824 (802.1AE 10.6.2)";
  }
  return "";
}

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

  std::string config_file, validate = "strict", replay_check = "window", engine = "ipsec-mb", eal, metrics_listen;
  uint32_t clear_tags = 0, conf_offset = 0;
  po::options_description flags_only(
      "linkcryptd: MACsec (IEEE 802.1AE) bump-in-the-wire between a plain and a wire port\n"
      "usage: linkcryptd [options] [-- EAL arguments]\n"
      "numbers are decimal or 0x-hex; each option's range is shown as its value (0|a..b: 0 or a..b)\n\n"
      "command line only");
  flags_only.add_options()
      ("help,h", "show this help")
      ("version,V", "print the version and exit")
      ("config,c", po::value(&config_file), "INI config file: 'name = value' lines, names as the long options below (docs/config.md)")
      ("process-role", po::value(&o.process_role), "internal: set by linkcryptd's supervisor when it starts the dataplane process (process-model = split)")
      ("check-config", po::bool_switch(&o.check_only), "check the options, the config file and the key/PSK files, print 'config OK' and exit (0 fine, 2 bad); starts no EAL");
  po::options_description desc("options (command line or config file; the command line wins)");
  desc.add_options()
      ("eal", po::value(&eal), "EAL arguments, space-separated (alternative to '-- ...')")
      ("plain-port", po::value(&o.plain_port), "plain port: DPDK device arguments (PCI address or vdev, e.g. net_af_packet0,iface=eth1)")
      ("wire-port", po::value(&o.wire_port), "wire port: DPDK device arguments")
      ("plain-mtu", ranged(&o.plain_mtu, kPlainMtuRange), "largest plain L2 payload carried; the wire port needs this + 32")
      ("plain-vlan-tags", ranged(&o.plain_vlan_tags, kPlainVlanTagsRange), "VLAN tags a full-size plain frame may carry; the wire port needs 4 more octets per tag")
      ("key-file", po::value(&o.key_file), "manual keying: key file (mode 0600 or stricter; see docs/keyfile.md)")
      ("state-dir", po::value(&o.state_dir)->default_value(o.state_dir), "manual keying: directory of the transmit keys' PN reservations (docs/keyfile.md)")
      ("pn-reserve-block", ranged(&o.pn_reserve_block, kPnReserveBlockRange), "manual keying: PNs reserved on disk ahead of the transmit SA")
      ("validate-frames", po::value(&validate)->default_value("strict"), "strict | check | disabled (802.1AE 10.7.8)")
      ("replay-window", ranged(&o.secy.replay_window, kReplayWindowRange), "replay window in PNs (10.7.8 replayWindow; XPN suites: below 2^30)")
      ("no-replay-protect", po::bool_switch(), "disable replay protection (10.7.8 replayProtect)")
      ("replay-check", po::value(&replay_check)->default_value("window"), "window (802.1AE) | strict: also drop a verified frame whose PN was already delivered inside the replay window (InPktsDuplicate)")
      ("integrity-only", po::bool_switch(), "protect without confidentiality (E=0, C=0)")
      ("clear-tags", ranged(&clear_tags, kClearTagsRange), "VLAN tags (802.1Q/802.1ad) kept in the clear, authenticated, before the SecTAG; every frame must carry them (docs/framing.md); both ends alike")
      ("confidentiality-offset", ranged(&conf_offset, kConfOffsetRange), "0 | 30 | 50: octets of user data sent in the clear, authenticated, before encryption starts (802.1AE 10.7.25; docs/framing.md); both ends alike")
      ("engine", po::value(&engine)->default_value("ipsec-mb"), "cipher engine: ipsec-mb | openssl")
      ("kx-ethertype", ranged(&o.kx_ethertype, kEtherTypeRange, "0x88b5", "0x0600..0xffff"), "EtherType of in-band key-exchange frames, punted to the control plane (not one a protocol uses, e.g. IPv4, ARP, VLAN, LLDP, EAPOL)")
      ("mbufs", ranged(&o.mbufs, kMbufsRange), "mbufs in the packet pool")
      ("rx-desc", ranged(&o.rx_desc, kDescRange), "RX descriptors per queue")
      ("tx-desc", ranged(&o.tx_desc, kDescRange), "TX descriptors per queue")
      ("idle-sleep-us", ranged(&o.idle_sleep_us, kIdleSleepUsRange), "sleep this long when idle (0: busy poll; veth/CI setups use ~100)")
      ("stats-interval-ms", ranged(&o.stats_interval_ms, kStatsIntervalMsRange), "also print counters this often (0: only on SIGUSR1 and exit)")
      ("suite", po::value(&o.keying.suite)->default_value("gcm-aes-xpn-256"), "IKE-keyed cipher suite: gcm-aes-xpn-256 | gcm-aes-xpn-128 | gcm-aes-256 | gcm-aes-128")
      ("must-secure", po::value(&o.must_secure)->default_value(true), "never send plain frames in the clear without a transmit SA (only true is supported)")
      ("no-keys", po::bool_switch(&o.no_keys), "test/diagnostic mode: start with neither key-file nor IKE; no SA, every plain frame is dropped (must-secure)")
      ("keying", po::value(&o.keying_mode)->value_name("MODE"), "manual | ike | mka (default: manual with key-file, ike with local-id/peer-id); mka: MKA with a pre-shared CAK/CKN (docs/mka.md)")
      ("mka-ckn", po::value(&o.mka_opts.ckn)->value_name("HEX"), "keying = mka: the CKN, 1 to 32 octets in hex, as on the peer's port")
      ("mka-cak-file", po::value(&o.mka_opts.cak_file)->value_name("FILE"), "keying = mka: file holding the CAK as 32 or 64 hex digits (mode 0600)")
      ("mka-keychain-file", po::value(&o.mka_opts.keychain_file)->value_name("FILE"), "keying = mka: keychain of [cak]/[fallback] CKN/CAK pairs with UTC lifetimes (mode 0600; instead of mka-ckn and mka-cak-file; docs/mka.md)")
      ("mka-key-server-priority", ranged(&o.mka_opts.key_server_priority, kMkaPriorityRange), "keying = mka: key server priority, lower wins (255: never key server)")
      ("mka-cipher-suite", po::value(&o.mka_opts.cipher_suite)->default_value("gcm-aes-128"), "keying = mka: gcm-aes-128 | gcm-aes-256 | gcm-aes-xpn-128 | gcm-aes-xpn-256 (what we distribute as key server and accept from one)")
      ("mka-hello-time-ms", ranged(&o.mka_opts.hello_time_ms, kMkaHelloTimeMsRange), "keying = mka: MKA Hello Time (802.1X-2020: 2000)")
      ("mka-life-time-ms", ranged(&o.mka_opts.life_time_ms, kMkaLifeTimeMsRange), "keying = mka: MKA Life Time, above the hello time (802.1X-2020: 6000); a peer silent this long is lost")
      ("mka-rekey-interval-s", ranged(&o.mka_opts.rekey_interval_s, kMkaRekeyIntervalSRange), "keying = mka, as key server: a new SAK this often (0: on a new peer, PN threshold and 'rekey' only)")
      ("mka-eapol-address", po::value(&o.mka_opts.eapol_address)->default_value("01:80:c2:00:00:03"), "keying = mka: destination MAC of our MKPDUs (default: nearest non-TPMR bridge; 01:80:c2:00:00:00 or a carrier's tunnelled address)")
      ("local-id", po::value(&o.keying.local_id), "our IKE identity (FQDN, user@host or IP literal); enables IKE keying")
      ("peer-id", po::value(&o.keying.peer_id), "the identity the peer must present")
      ("role", po::value(&o.keying.role)->default_value("auto"), "auto (lower local-id initiates) | initiator | responder")
      ("auth", po::value(&o.keying.auth)->default_value("psk"), "psk | pubkey | cert")
      ("psk-file", po::value(&o.keying.psk_file), "auth = psk: file holding the pre-shared key (mode 0600)")
      ("private-key-file", po::value(&o.keying.private_key_file), "auth = pubkey/cert: our Ed25519 or P-256 private key, PEM (mode 0600)")
      ("psk-uri", po::value(&o.keying.psk_uri), "auth = psk: the PSK on a PKCS#11 token, RFC 7512 URI (pkcs11:token=..;object=..), instead of psk-file (docs/hsm.md)")
      ("private-key-uri", po::value(&o.keying.private_key_uri), "auth = pubkey/cert: the private key on a PKCS#11 token, RFC 7512 URI, instead of private-key-file")
      ("pkcs11-module", po::value(&o.keying.pkcs11_module), "the token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so (or module-path in the URI)")
      ("pin-file", po::value(&o.keying.pin_file), "the token's user PIN, one line (mode 0600)")
      ("audit-log", po::value(&o.audit_log), "also append one JSON line per use of the long-term key to this file (created 0600; docs/hsm.md)")
      ("process-model", po::value(&o.process_model)->default_value("single"), "single | split: one process, or a supervisor with a dataplane, an IKE (linkcrypt-ike) and a key-holder process (docs/architecture-daemon.md)")
      ("key-holder", po::value(&o.keying.key_holder)->default_value("process"), "process | in-process: the long-term key only in the sandboxed linkcrypt-keyholder process (default), or in linkcryptd itself (docs/architecture-daemon.md)")
      ("peer-public-key-file", po::value(&o.keying.peer_public_key_file), "auth = pubkey: the peer's public key, PEM")
      ("cert-file", po::value(&o.keying.cert_file), "auth = cert: our X.509 certificate, PEM")
      ("ca-file", po::value(&o.keying.ca_file), "auth = cert: the CA certificate, PEM")
      ("ppk-id", po::value(&o.keying.ppk_id), "RFC 8784 post-quantum preshared key: its id, the same on both peers (docs/security.md)")
      ("ppk-file", po::value(&o.keying.ppk_file), "the PPK named by ppk-id: >= 32 raw octets (head -c 32 /dev/urandom), mode 0600")
      ("ppk-required", po::value(&o.keying.ppk_required)->default_value(false), "true: no IKE SA without the PPK; false: fall back (one warning) when the peer has none")
      ("transport", po::value(&o.transport)->default_value("inband"), "inband (EtherType kx-ethertype on the wire port) | udp")
      ("udp-local", po::value(&o.udp_local), "transport = udp: local address")
      ("udp-peer", po::value(&o.udp_peer), "transport = udp: the peer's address")
      ("udp-port", ranged(&o.udp_port, kPortRange), "transport = udp: IKE port")
      ("udp-nat-port", ranged(&o.udp_nat_port, kPortRange), "transport = udp: NAT-T port (non-ESP marker)")
      ("rekey-interval-s", ranged(&o.rekey_interval_s, kRekeyIntervalSRange), "rotate the MACsec keys this often (0: never)")
      ("rekey-pn-threshold", ranged(&o.rekey_pn_threshold, kRekeyPnThresholdRange), "rotate when the transmit PN reaches this (0: 3/4 of the PN space; 32-bit PN suites: at most 4294967295)")
      ("rekey-bytes", ranged(&o.rekey_bytes, kRekeyBytesRange), "rotate after this many protected octets (0: never)")
      ("ike-rekey-interval-s", ranged(&o.ike_rekey_interval_s, kIkeRekeyIntervalSRange), "rekey the IKE SA this often (0: never)")
      ("liveness-interval-ms", ranged(&o.keying.liveness_interval_ms, kLivenessIntervalMsRange), "idle time before a liveness check (0: off)")
      ("retransmit-base-ms", ranged(&o.keying.retransmit_base_ms, kRetransmitBaseMsRange), "first IKE retransmission after this long, doubling")
      ("retransmit-limit", ranged(&o.keying.retransmit_limit, kRetransmitLimitRange), "retransmissions before the peer is declared dead")
      ("switch-timeout-ms", ranged(&o.switch_timeout_ms, kSwitchTimeoutMsRange), "responder: switch TX after this long without a validated frame")
      ("retire-grace-ms", ranged(&o.retire_grace_ms, kRetireGraceMsRange), "old receive SAs live this long after the TX switch")
      ("reconnect-min-ms", ranged(&o.reconnect_min_ms, kReconnectMsRange), "first re-establishment back-off")
      ("reconnect-max-ms", ranged(&o.reconnect_max_ms, kReconnectMsRange), "back-off cap (>= reconnect-min-ms)")
      ("ike-half-open-limit", ranged(&o.ike_half_open_limit, kHalfOpenLimitRange), "responder: half-open IKE SAs kept; more IKE_SA_INITs are dropped (responder_over_limit)")
      ("ike-cookie-threshold", ranged(&o.ike_cookie_threshold, kCookieThresholdRange), "responder: from this many half-open IKE SAs on, an IKE_SA_INIT without a valid COOKIE gets one back and costs no Diffie-Hellman (RFC 7296 2.6); below ike-half-open-limit")
      ("kx-new-sa-rate", ranged(&o.kx_new_sa_rate, kKxNewSaRateRange), "new-session IKE_SA_INITs and frames of unknown IKE SAs the workers pass to the control plane per second (more: KxRateLimited)")
      ("control-socket", po::value(&o.control_socket)->default_value("/run/linkcrypt/linkcryptd.sock"), "control socket for linkcryptctl")
      ("control-admin-group", po::value(&o.control_admin_group), "group whose members may run state-changing control commands (rekey); default none: root only")
      ("log", po::value(&o.log)->default_value("stderr"), "stderr | syslog | journal (under systemd stderr means the journal)")
      ("log-level", po::value(&o.log_level)->default_value("info"), "debug | info | notice | warning | error (SIGHUP re-reads it)")
      ("metrics-listen", po::value(&metrics_listen)->value_name("ADDRESS:PORT"), "serve Prometheus metrics on http://ADDRESS:PORT/metrics, e.g. 127.0.0.1:9101 or [::1]:9101 (default off; no authentication: keep it on loopback)")
      ("keylog", po::value(&o.keylog)->value_name("FILE"), "troubleshooting only: append every installed SA's keys to FILE (created 0600) so linkcrypt-pcap can decrypt captures (docs/keylog.md; default off)");

  po::options_description all;
  all.add(flags_only).add(desc);
  po::variables_map vm;
  ConfigFileLines file;
  std::set<std::string> flags;
  try {
    const po::parsed_options cmdline = po::parse_command_line(own_argc, argv, all);
    for (const po::option& opt : cmdline.options) flags.insert(opt.string_key);
    po::store(cmdline, vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }
  if (vm.count("help")) {
    std::cout << all << "\n";
    return std::nullopt;
  }
  if (vm.count("version")) {
    std::cout << "linkcryptd " << version_string() << "\n";
    return std::nullopt;
  }
  if (vm.count("config")) store_config_file(vm["config"].as<std::string>(), desc, vm, file);
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }
  const Origins at(std::move(flags), file);

  if (!eal.empty()) {
    auto words = split_words(eal);
    o.eal_args.insert(o.eal_args.begin(), words.begin(), words.end());
  }
  o.secy.validate_frames = parse_validate(validate, at);
  o.secy.replay_protect = !vm["no-replay-protect"].as<bool>();
  o.secy.replay_strict = parse_replay_check(replay_check, o.secy.replay_window, at);
  o.secy.confidentiality = !vm["integrity-only"].as<bool>();
  o.secy.include_sci = true;  // transparent bump in the wire: MAC SA is the host's (design §1)
  o.secy.clear_tags = static_cast<uint8_t>(clear_tags);
  o.secy.confidentiality_offset = static_cast<uint8_t>(conf_offset);
  if (const char* err = secy::check_framing(o.secy)) {
    throw ConfigError(at(conf_offset != 0 ? "confidentiality-offset" : "clear-tags") + ": " + err);
  }
  const auto kind = secy::parse_engine_kind(engine);
  if (!kind) throw ConfigError(at("engine") + " must be ipsec-mb or openssl, not '" + engine + "'");
  o.engine = *kind;
  if (const auto name = reserved_ethertype_name(o.kx_ethertype)) {
    throw ConfigError(at("kx-ethertype") + " " + hex16(o.kx_ethertype) + " is " + std::string(*name) +
                      ": key-exchange frames need an EtherType no protocol uses (default 0x88b5, IEEE 802 local experimental)");
  }
  if (o.plain_port.empty() || o.wire_port.empty()) {
    throw ConfigError("--plain-port and --wire-port are required (DPDK device arguments)");
  }
  if (o.plain_port == o.wire_port) throw ConfigError(at("wire-port") + " must differ from plain-port");
  validate_keying_options(vm, o, at);
  if (!metrics_listen.empty() && !(o.metrics_listen = metrics::parse_listen_address(metrics_listen))) {
    throw ConfigError(at("metrics-listen") + " must be ADDRESS:PORT (an IPv4 address or [IPv6] address, port 1..65535), not '" +
                      metrics_listen + "'");
  }
  return o;
}

}  // namespace linkcrypt::daemon
