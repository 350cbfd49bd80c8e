// ike_udp_peer's command line: parsed with Boost.Program_options, turned into an ike::Config.
#include "peer_options.h"

#include "open_key.h"
#include "ppk_file.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

#include "hex.h"

namespace po = boost::program_options;

namespace linkcrypt::interop {
namespace {

constexpr const char* kUsage =
    "ike_udp_peer: TEST TOOL ONLY. Drives the linkcrypt IKEv2 library over UDP 500/4500 for\n"
    "interop tests against strongSwan. It PRINTS CHILD SA KEYS IN HEX on stdout so a test can\n"
    "compare them with strongSwan's level-4 log. Never use it with real keys; the product\n"
    "(linkcryptd) never prints key material.\n"
    "\n"
    "Commands on stdin (one per line): rekey-child, rekey-ike, close (delete the IKE SA and\n"
    "exit). Signals: SIGUSR1 = rekey-child, SIGUSR2 = rekey-ike, SIGTERM/SIGINT = close.\n"
    "stdout, one event per line: LISTENING, IKE_UP, FLOAT_TO_4500, CHILD_KEYS, CHILD_REKEYED,\n"
    "IKE_REKEYED, DELETED, PEER_DEAD, INVALID_KE_RETRY, COOKIE_RETRY, FAILED, COMMAND_REFUSED,\n"
    "HELD/RELEASED (--hold-rx), CLOSED, COUNTERS. Exit: 0 closed, 2 failed, 1 start-up error.\n"
    "\n"
    "Options";

ike::DhGroup parse_group(int group) {
  switch (group) {
    case 31: return ike::DhGroup::Curve25519;
    case 19: return ike::DhGroup::Ecp256;
    case 20: return ike::DhGroup::Ecp384;
    default: throw std::invalid_argument("--group must be 31, 19 or 20");
  }
}

// "10.78.1.0/24" -> TS_IPV4_ADDR_RANGE 10.78.1.0 - 10.78.1.255 (RFC 7296 3.13.1); IPv6 alike.
ike::TrafficSelector parse_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  std::string ip = cidr.substr(0, slash);
  ike::TrafficSelector ts;
  std::vector<uint8_t> addr(16);
  if (inet_pton(AF_INET, ip.c_str(), addr.data()) == 1) {
    addr.resize(4);
    ts.ts_type = 7;
  } else if (inet_pton(AF_INET6, ip.c_str(), addr.data()) == 1) {
    ts.ts_type = 8;
  } else {
    throw std::invalid_argument("bad traffic selector address: " + cidr);
  }
  size_t bits = addr.size() * 8;
  size_t prefix = bits;
  if (slash != std::string::npos) {
    prefix = std::stoul(cidr.substr(slash + 1));
    if (prefix > bits) throw std::invalid_argument("bad prefix length: " + cidr);
  }
  ts.start_addr = addr;
  ts.end_addr = addr;
  for (size_t bit = prefix; bit < bits; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    ts.start_addr[bit / 8] &= static_cast<uint8_t>(~mask);
    ts.end_addr[bit / 8] |= mask;
  }
  return ts;
}

// "31,19" -> {31, 19}; empty text -> {}.
std::vector<uint64_t> parse_list(const std::string& text) {
  std::vector<uint64_t> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(std::stoull(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

std::vector<uint8_t> read_binary(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + what + " " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

SecretBytes read_secret_file(const std::string& path, const char* what) {
  std::vector<uint8_t> bytes = read_binary(path, what);
  SecretBytes secret(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

SecretBytes read_psk_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read --psk-file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  SecretBytes psk;
  const bool ok = parse_hex_secret(text, psk);  // straight into wiped memory
  OPENSSL_cleanse(text.data(), text.size());
  if (!ok) throw std::runtime_error("--psk-file must hold the key in hex");
  return psk;
}

}  // namespace

std::optional<PeerOptions> parse_peer_options(int argc, char** argv) {
  std::string role, local, remote, ike_groups, drop_rx, drop_tx, hold_rx, rekey_on_rx;
  std::string auth = "psk";
  int group = 31;
  int prf = 256;
  int64_t cert_check_time = 0;
  uint32_t dpd_ms = 0, retransmit_base_ms = 0, retransmit_limit = 0;
  PeerOptions o;
  po::options_description desc(kUsage);
  desc.add_options()
      ("help,h", "this text")
      ("role", po::value(&role)->required(), "initiator | responder")
      ("local", po::value(&local)->required(), "our address (binds UDP 500 and 4500)")
      ("remote", po::value(&remote)->required(), "the peer's address")
      ("local-id", po::value(&o.local_id)->required(), "our identity (FQDN)")
      ("remote-id", po::value(&o.remote_id)->required(), "the peer's identity (FQDN)")
      ("auth", po::value(&auth)->default_value("psk"),
       "psk | cert (RFC 7427 signature, X.509) | rawkey (RFC 7427 signature, raw public key)")
      ("psk-file", po::value(&o.psk_file), "psk: file holding the pre-shared key in hex")
      ("key-file", po::value(&o.key_file), "cert/rawkey: our Ed25519 or P-256 private key (PEM)")
      ("key-uri", po::value(&o.key_uri), "cert/rawkey: our private key on a PKCS#11 token (RFC 7512 URI) instead")
      ("pkcs11-module", po::value(&o.pkcs11_module), "--key-uri: the token's PKCS#11 module")
      ("pin-file", po::value(&o.pin_file), "--key-uri: the token's user PIN (mode 0600)")
      ("cert-file", po::value(&o.cert_file), "cert: our certificate (DER)")
      ("ca-file", po::value(&o.ca_file), "cert: the CA certificate the peer's must chain to (DER)")
      ("cert-check-time", po::value(&cert_check_time),
       "cert: check certificate validity at this Unix time instead of now")
      ("peer-pubkey-file", po::value(&o.peer_pubkey_file),
       "rawkey: the peer's public key (DER SubjectPublicKeyInfo)")
      ("group", po::value(&group)->default_value(31), "key exchange group: 31, 19 or 20")
      ("ike-groups", po::value(&ike_groups),
       "IKE SA groups offered, comma-separated, the KE is for the first (default: --group); "
       "to exercise INVALID_KE_PAYLOAD (RFC 7296 1.2)")
      ("aes-bits", po::value(&o.aes_bits)->default_value(128),
       "AES-GCM-16 key size for the IKE SA and the ESP child: 128 or 256")
      ("prf", po::value(&prf)->default_value(256), "PRF_HMAC_SHA2_<n>: 256, 384 or 512")
      ("drop-rx", po::value(&drop_rx),
       "FAULT INJECTION: drop these received messages, EXCHANGE.request|response.N "
       "(comma-separated; e.g. IKE_AUTH.response.1: the first IKE_AUTH response)")
      ("drop-tx", po::value(&drop_tx), "FAULT INJECTION: do not send these messages")
      ("hold-rx", po::value(&hold_rx),
       "FAULT INJECTION: hold this received message until after we send our next one "
       "(makes simultaneous requests cross, RFC 7296 2.8.1)")
      ("rekey-child-on-rx", po::value(&rekey_on_rx),
       "start a child rekey the moment this message arrives (after --drop-rx or --hold-rx "
       "took it): a collision set up without depending on the harness's timing")
      ("ts-local", po::value(&o.ts_local)->required(), "our traffic selector (CIDR)")
      ("ts-remote", po::value(&o.ts_remote)->required(), "the peer's traffic selector (CIDR)")
      ("no-pfs", "child rekeys without a fresh key exchange")
      ("ppk-id", po::value(&o.ppk_id), "RFC 8784 PPK identity (with --ppk-file)")
      ("ppk-file", po::value(&o.ppk_file), "the PPK, raw octets (>= 32), mode 0600")
      ("ppk-required", "fail rather than fall back when the peer uses no PPK")
      ("dpd-ms", po::value(&dpd_ms), "idle time before a liveness check, ms (0: none)")
      ("retransmit-base-ms", po::value(&retransmit_base_ms), "first retransmission after, ms")
      ("retransmit-limit", po::value(&retransmit_limit), "retransmissions before giving up");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, desc), vm);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return std::nullopt;
  }
  po::notify(vm);
  if (role == "initiator") {
    o.role = ike::Role::Initiator;
  } else if (role == "responder") {
    o.role = ike::Role::Responder;
  } else {
    throw std::invalid_argument("--role must be initiator or responder");
  }
  auto l = SocketAddress::parse(local, 500);
  auto r = SocketAddress::parse(remote, 500);
  if (!l || !r) throw std::invalid_argument("--local and --remote must be numeric IP addresses");
  if (l->family() != r->family()) throw std::invalid_argument("--local/--remote: mixed families");
  o.local = *l;
  o.remote = *r;
  o.group = parse_group(group);
  o.ike_groups = {o.group};
  if (!ike_groups.empty()) {
    o.ike_groups.clear();
    for (uint64_t g : parse_list(ike_groups)) o.ike_groups.push_back(parse_group(static_cast<int>(g)));
  }
  o.drop_rx = parse_message_picks(drop_rx);
  o.drop_tx = parse_message_picks(drop_tx);
  o.hold_rx = parse_message_picks(hold_rx);
  o.rekey_child_on_rx = parse_message_picks(rekey_on_rx);
  switch (prf) {
    case 256: o.prf = ike::Prf::HmacSha2_256; break;
    case 384: o.prf = ike::Prf::HmacSha2_384; break;
    case 512: o.prf = ike::Prf::HmacSha2_512; break;
    default: throw std::invalid_argument("--prf must be 256, 384 or 512");
  }
  if (o.aes_bits != 128 && o.aes_bits != 256) {
    throw std::invalid_argument("--aes-bits must be 128 or 256");
  }
  o.pfs = vm.count("no-pfs") == 0;
  o.ppk_required = vm.count("ppk-required") > 0;
  if (vm.count("cert-check-time")) o.cert_check_time = cert_check_time;
  if (vm.count("dpd-ms")) o.dpd_ms = dpd_ms;
  if (vm.count("retransmit-base-ms")) o.retransmit_base_ms = retransmit_base_ms;
  if (vm.count("retransmit-limit")) o.retransmit_limit = retransmit_limit;
  if (auth == "psk") {
    o.auth = ike::AuthMethod::Psk;
    if (o.psk_file.empty()) throw std::invalid_argument("--auth psk needs --psk-file");
  } else if (auth == "cert") {
    o.auth = ike::AuthMethod::Certificate;
    if (o.key_file.empty() || o.cert_file.empty() || o.ca_file.empty()) {
      throw std::invalid_argument("--auth cert needs --key-file, --cert-file and --ca-file");
    }
  } else if (auth == "rawkey") {
    o.auth = ike::AuthMethod::RawPublicKey;
    if ((o.key_file.empty() && o.key_uri.empty()) || o.peer_pubkey_file.empty()) {
      throw std::invalid_argument("--auth rawkey needs --key-file and --peer-pubkey-file");
    }
  } else {
    throw std::invalid_argument("--auth must be psk, cert or rawkey");
  }
  return o;
}

ike::Config build_config(const PeerOptions& opts) {
  ike::Config cfg;
  cfg.role = opts.role;
  cfg.local_id = ike::Identity::fqdn(opts.local_id);
  cfg.remote_id = ike::Identity::fqdn(opts.remote_id);
  cfg.auth.method = opts.auth;
  if (opts.auth == ike::AuthMethod::Psk) cfg.auth.psk = read_psk_file(opts.psk_file);
  if (!opts.key_file.empty()) cfg.auth.private_key_pem = read_secret_file(opts.key_file, "--key-file");
  if (!opts.key_uri.empty()) {
    config::KeyingOptions k;
    k.auth = "pubkey";
    k.private_key_uri = opts.key_uri;
    k.pkcs11_module = opts.pkcs11_module;
    k.pin_file = opts.pin_file;
    std::string error;
    cfg.auth.key = custody::open_long_term_key(k, error);
    if (!cfg.auth.key) throw std::invalid_argument(error);
  }
  if (!opts.cert_file.empty()) cfg.auth.local_cert_der = read_binary(opts.cert_file, "--cert-file");
  if (!opts.ca_file.empty()) cfg.auth.ca_cert_der = read_binary(opts.ca_file, "--ca-file");
  cfg.auth.cert_check_time = opts.cert_check_time;
  if (!opts.peer_pubkey_file.empty()) {
    cfg.auth.peer_public_key_der = read_binary(opts.peer_pubkey_file, "--peer-pubkey-file");
  }
  if (!opts.ppk_id.empty() || !opts.ppk_file.empty()) {
    ike::Ppk ppk;
    if (auto e = custody::load_ppk_file(opts.ppk_id, opts.ppk_file, ppk); !e.empty()) throw std::invalid_argument(e);
    cfg.ppk.keys.push_back(std::move(ppk));
  }
  cfg.ppk.required = opts.ppk_required;
  ike::IkeProposal p;
  p.aes_gcm16_key_bits = {opts.aes_bits};
  p.prfs = {opts.prf};
  p.groups = opts.ike_groups;
  cfg.ike_proposals = {p};
  // An ESP child (RFC 4106 AES-GCM-16): same KDF as the MACsec child, and strongSwan can
  // negotiate it, so its keys prove our KEYMAT byte for byte (design.md §4).
  cfg.child.kind = ike::ChildKind::Esp;
  cfg.child.esp.aes_gcm16_key_bits = {opts.aes_bits};
  cfg.child.esp.ts_local = {parse_cidr(opts.ts_local)};
  cfg.child.esp.ts_remote = {parse_cidr(opts.ts_remote)};
  if (opts.pfs) {
    cfg.child.pfs_groups = {opts.group};
  } else {
    cfg.child.pfs_groups.clear();
  }
  if (opts.dpd_ms) cfg.timers.dpd_interval = ike::Millis(*opts.dpd_ms);
  if (opts.retransmit_base_ms) cfg.timers.retransmit_base = ike::Millis(*opts.retransmit_base_ms);
  if (opts.retransmit_limit) cfg.timers.retransmit_limit = *opts.retransmit_limit;
  cfg.local.address = opts.local.address_bytes();
  cfg.local.port = 500;
  cfg.remote.address = opts.remote.address_bytes();
  cfg.remote.port = 500;
  return cfg;
}

}  // namespace linkcrypt::interop
