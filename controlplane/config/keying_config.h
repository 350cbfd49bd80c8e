// The daemon's IKE keying settings: validated, files read (permissions checked), ike::Config built.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ike_session.h"

namespace linkcrypt::config {

// As given by the operator (docs/config.md); strings are checked by build_ike_config.
struct KeyingOptions {
  std::string local_id;
  std::string peer_id;
  std::string role = "auto";            // auto | initiator | responder
  std::string auth = "psk";             // psk | pubkey | cert
  std::string psk_file;
  std::string private_key_file;
  std::string psk_uri;          // RFC 7512 PKCS#11 URI instead of psk-file (docs/hsm.md)
  std::string private_key_uri;  // RFC 7512 PKCS#11 URI instead of private-key-file
  std::string pkcs11_module;    // the token's PKCS#11 module (.so), loaded through p11-kit
  std::string pin_file;         // the token's user PIN (mode 0600)
  std::string peer_public_key_file;
  std::string cert_file;
  std::string ca_file;
  // RFC 8784 post-quantum preshared key (docs/security.md): its id and the file holding it (raw
  // octets, >= 32, mode 0600); required: no IKE SA without it (PpkRequired / PpkUnknown).
  std::string ppk_id;
  std::string ppk_file;
  bool ppk_required = false;
  std::string suite = "gcm-aes-xpn-256";
  bool integrity_only = false;
  uint32_t liveness_interval_ms = 2000;
  uint32_t retransmit_base_ms = 500;
  uint32_t retransmit_limit = 3;
  // Who holds the long-term key (issue 11 §1): "in-process" reads psk-file / private-key-file
  // here; "process" reads nothing secret and uses held_key, the daemon's client of the key holder.
  // linkcryptd's option defaults to "process" (it starts the key holder); a library caller that
  // starts none (tests, the interop peer) keeps the key in process.
  std::string key_holder = "in-process";
  std::shared_ptr<ike::LongTermKey> held_key;
};

struct KeyingConfig {
  std::shared_ptr<ike::Config> ike;  // local_sci is filled in once the wire port's MAC is known
  bool initiator = true;             // role resolved (auto: lower local identity initiates)
};

// "user@host" → ID_RFC822_ADDR, IPv4/IPv6 literal → ID_IPV4/IPV6_ADDR, else ID_FQDN (RFC 7296 3.5).
[[nodiscard]] ike::Identity parse_identity(const std::string& text);

// Reads a secret file (PSK, private key) with the common loader (common/secret_file.h): not a
// symlink, regular, owned by the daemon's user, mode 0600/0400, 1 octet .. 64 KiB. Returns an
// error line, empty on success.
[[nodiscard]] std::string read_secret_file(const std::string& what, const std::string& path,
                                           SecretBytes& out);

// Checks everything and builds the ike::Config. Returns an error line (what to fix), empty on
// success.
[[nodiscard]] std::string build_keying_config(const KeyingOptions& o, KeyingConfig& out);

}  // namespace linkcrypt::config
