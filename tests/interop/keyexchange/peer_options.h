// ike_udp_peer's command line: parsed with Boost.Program_options, turned into an ike::Config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fault_injection.h"
#include "ike_session.h"
#include "udp_socket.h"

namespace linkcrypt::interop {

// The UDP socket and NAT framing live in controlplane/transport (linkcryptd uses them too).
using transport::SocketAddress;
using transport::UdpSocket;

struct PeerOptions {
  ike::Role role = ike::Role::Initiator;
  SocketAddress local;   // port 500; 4500 is bound on the same address
  SocketAddress remote;  // the initiator's peer; a responder answers whoever sends IKE_SA_INIT
  std::string local_id;
  std::string remote_id;
  ike::AuthMethod auth = ike::AuthMethod::Psk;
  std::string psk_file;          // Psk: hex
  std::string key_file;          // RawPublicKey/Certificate: our private key, PEM
  std::string key_uri;           // ... or on a PKCS#11 token (RFC 7512 URI; docs/hsm.md)
  std::string pkcs11_module;
  std::string pin_file;
  std::string cert_file;         // Certificate: our certificate, DER
  std::string ca_file;           // Certificate: the CA the peer's certificate must chain to, DER
  std::string peer_pubkey_file;  // RawPublicKey: the peer's SubjectPublicKeyInfo, DER
  std::optional<int64_t> cert_check_time;  // Certificate: validity checked at this Unix time
  ike::DhGroup group = ike::DhGroup::Curve25519;         // IKE SA and child PFS group
  std::vector<ike::DhGroup> ike_groups;                   // IKE offer; default {group}
  uint16_t aes_bits = 128;
  ike::Prf prf = ike::Prf::HmacSha2_256;
  // Fault injection (fault_injection.h): messages to drop, to hold until we have sent our
  // next one, and on whose arrival to start a child rekey.
  std::vector<MessagePick> drop_rx;
  std::vector<MessagePick> drop_tx;
  std::vector<MessagePick> hold_rx;
  std::vector<MessagePick> rekey_child_on_rx;
  std::string ts_local;   // CIDR, e.g. 10.78.1.0/24
  std::string ts_remote;
  bool pfs = true;
  std::string ppk_id;    // RFC 8784: the PPK we use (with ppk_file, raw octets, mode 0600)
  std::string ppk_file;
  bool ppk_required = false;
  std::optional<uint32_t> dpd_ms;              // Timers::dpd_interval (0 disables)
  std::optional<uint32_t> retransmit_base_ms;  // Timers::retransmit_base
  std::optional<uint32_t> retransmit_limit;    // Timers::retransmit_limit
};

// Returns nullopt after printing help (exit 0) or throws std::exception on bad arguments
// (caught in main: exceptions only in CLI parsing, design.md §6).
[[nodiscard]] std::optional<PeerOptions> parse_peer_options(int argc, char** argv);

// The library configuration: one IKE proposal (AES-GCM-16, PRF_HMAC_SHA2_256, the group) and
// an ESP child with the same cipher. Throws on an unreadable PSK file or a bad selector.
[[nodiscard]] ike::Config build_config(const PeerOptions& opts);

}  // namespace linkcrypt::interop
