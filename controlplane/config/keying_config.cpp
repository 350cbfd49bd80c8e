// build_keying_config: identities, role, suite, and the auth files (PSK, raw public keys, X.509).
#include "keying_config.h"

#include <arpa/inet.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "cipher_suite.h"
#include "suite_mapping.h"
#include "long_term_key.h"
#include "openssl_handles.h"
#include "secret_file.h"

namespace linkcrypt::config {
namespace {

constexpr size_t kMaxFileLen = 64 * 1024;
constexpr size_t kMinPskLen = 16;

std::string read_public_file(const std::string& what, const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + what + " " + path + ": " + std::strerror(errno);
  out.assign(std::istreambuf_iterator<char>(in), {});
  if (out.empty()) return what + " " + path + " is empty";
  if (out.size() > kMaxFileLen) return what + " " + path + " is too large";
  return {};
}

std::string pem_public_key_to_der(const std::string& path, std::vector<uint8_t>& der) {
  std::vector<uint8_t> pem;
  if (auto e = read_public_file("peer-public-key-file", path, pem); !e.empty()) return e;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EvpPkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return "peer-public-key-file " + path + " is not a PEM public key (SubjectPublicKeyInfo)";
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(key.get(), &buf);
  if (len <= 0) return "peer-public-key-file " + path + ": cannot encode the key";
  der.assign(buf, buf + len);
  OPENSSL_free(buf);
  return {};
}

std::string pem_cert_to_der(const std::string& what, const std::string& path, std::vector<uint8_t>& der) {
  std::vector<uint8_t> pem;
  if (auto e = read_public_file(what, path, pem); !e.empty()) return e;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return what + " " + path + " is not a PEM X.509 certificate";
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert.get(), &buf);
  if (len <= 0) return what + " " + path + ": cannot encode the certificate";
  der.assign(buf, buf + len);
  OPENSSL_free(buf);
  return {};
}

std::string check_private_key(const std::string& path, const SecretBytes& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.view().data(), static_cast<int>(pem.size())), BIO_free);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return "private-key-file " + path + " is not a PEM private key (Ed25519 or ECDSA P-256)";
  // IKE AUTH here signs with Ed25519 (RFC 8420) or ECDSA P-256 (RFC 7427) only: refuse any other
  // key now rather than fail every handshake later.
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type == EVP_PKEY_ED25519) return {};
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len) == 1 &&
        (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)) {
      return {};
    }
    return "private-key-file " + path + " is an EC key on curve " + (group[0] ? group : "unknown") +
           ": only Ed25519 and ECDSA P-256 are supported";
  }
  const char* name = EVP_PKEY_get0_type_name(key.get());
  return "private-key-file " + path + " is an " + (name ? name : "unknown") +
         " key: only Ed25519 and ECDSA P-256 are supported";
}

}  // namespace

ike::Identity parse_identity(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v4);
    return {ike::IdType::Ipv4Addr, {b, b + 4}};
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v6);
    return {ike::IdType::Ipv6Addr, {b, b + 16}};
  }
  if (text.find('@') != std::string::npos) return {ike::IdType::Rfc822Addr, {text.begin(), text.end()}};
  return ike::Identity::fqdn(text);
}

std::string read_secret_file(const std::string& what, const std::string& path, SecretBytes& out) {
  return load_secret_file(what, path, kMaxFileLen, out).message;
}

std::string build_keying_config(const KeyingOptions& o, KeyingConfig& out) {
  if (o.local_id.empty()) return "local-id is required with IKE keying (or give key-file for manual keys)";
  if (o.peer_id.empty()) return "peer-id is required: the identity the peer must present";
  if (o.local_id == o.peer_id) return "local-id and peer-id must differ";
  auto c = std::make_shared<ike::Config>();
  c->local_id = parse_identity(o.local_id);
  c->remote_id = parse_identity(o.peer_id);

  if (o.role == "auto") {
    out.initiator = std::lexicographical_compare(c->local_id.data.begin(), c->local_id.data.end(),
                                                 c->remote_id->data.begin(), c->remote_id->data.end());
  } else if (o.role == "initiator" || o.role == "responder") {
    out.initiator = o.role == "initiator";
  } else {
    return "role must be auto, initiator or responder";
  }

  // 802.1AE Table 14-1, offered as the only MACsec suite: both sides must agree.
  // The name is parsed where every suite name is: secy::parse_cipher_suite.
  const auto suite = secy::parse_cipher_suite(o.suite);
  if (!suite) return "unknown suite '" + o.suite + "': use one of " + std::string(secy::cipher_suite_names());
  c->child.macsec.suites = {config::to_macsec_suite(*suite)};
  c->child.macsec.confidentiality = !o.integrity_only;

  if (o.key_holder != "in-process" && o.key_holder != "process") return "key-holder must be process or in-process";
  const bool held_elsewhere = o.key_holder == "process";
  if (held_elsewhere && !o.held_key) return "key-holder = process: the key holder is not running";
  if (o.auth == "psk") {
    if (o.psk_file.empty()) return "auth = psk needs psk-file";
    c->auth.method = ike::AuthMethod::Psk;
    if (held_elsewhere) {
      c->auth.key = o.held_key;  // the key holder read and checked the file
    } else {
      SecretBytes raw;
      if (auto e = read_secret_file("psk-file", o.psk_file, raw); !e.empty()) return e;
      size_t len = raw.size();
      if (len > 0 && raw.view()[len - 1] == '\n') --len;  // one trailing newline is not key
      if (len < kMinPskLen) return "psk-file " + o.psk_file + " holds fewer than 16 octets: use a longer key";
      // The key lives in one holder from here on; sessions ask it for AUTH values (long_term_key.h).
      c->auth.key = ike::make_in_process_psk(SecretBytes(raw.view().first(len)));
    }
  } else if (o.auth == "pubkey" || o.auth == "cert") {
    const bool cert = o.auth == "cert";
    c->auth.method = cert ? ike::AuthMethod::Certificate : ike::AuthMethod::RawPublicKey;
    if (o.private_key_file.empty()) return "auth = " + o.auth + " needs private-key-file";
    if (held_elsewhere) {
      c->auth.key = o.held_key;  // the key holder checked and loaded it
    } else {
      SecretBytes pem;
      if (auto e = read_secret_file("private-key-file", o.private_key_file, pem); !e.empty()) return e;
      if (auto e = check_private_key(o.private_key_file, pem); !e.empty()) return e;
      c->auth.key = ike::make_in_process_signing_key(pem.view());
      if (!c->auth.key) return "private-key-file " + o.private_key_file + ": the key could not be loaded";
    }
    if (cert) {
      if (o.cert_file.empty() || o.ca_file.empty()) return "auth = cert needs cert-file and ca-file";
      if (auto e = pem_cert_to_der("cert-file", o.cert_file, c->auth.local_cert_der); !e.empty()) return e;
      if (auto e = pem_cert_to_der("ca-file", o.ca_file, c->auth.ca_cert_der); !e.empty()) return e;
    } else {
      if (o.peer_public_key_file.empty()) return "auth = pubkey needs peer-public-key-file";
      if (auto e = pem_public_key_to_der(o.peer_public_key_file, c->auth.peer_public_key_der); !e.empty()) return e;
    }
  } else {
    return "auth must be psk, pubkey or cert";
  }

  c->timers.dpd_interval = ike::Millis(o.liveness_interval_ms);
  c->timers.retransmit_base = ike::Millis(std::max<uint32_t>(o.retransmit_base_ms, 50));
  c->timers.retransmit_limit = o.retransmit_limit;
  out.ike = std::move(c);
  return {};
}

}  // namespace linkcrypt::config
