// build_keying_config: identities, role, suite, and the auth files (PSK, raw public keys, X.509).
#include "keying_config.h"

#include "ppk_file.h"

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
#include "audit.h"
#include "long_term_key.h"
#include "open_key.h"
#include "openssl_handles.h"
#include "secret_file.h"

namespace linkcrypt::config {
namespace {

constexpr size_t kMaxFileLen = 64 * 1024;

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

// The key the key holder process serves (it read and checked the file), audited here like any other.
std::string held_key(const KeyingOptions& o, std::shared_ptr<ike::LongTermKey>& key) {
  key = o.held_key;
  if (auto* sink = custody::process_audit_sink()) key = custody::audited(std::move(key), *sink);
  return {};
}

// The key behind IKE_AUTH (file or token), audited when the daemon keeps an audit trail.
std::string open_key(const KeyingOptions& o, std::shared_ptr<ike::LongTermKey>& key) {
  std::string error;
  key = custody::open_long_term_key(o, error);
  if (!key) return error;
  if (auto* sink = custody::process_audit_sink()) key = custody::audited(std::move(key), *sink);
  return {};
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
    c->auth.method = ike::AuthMethod::Psk;
    if (auto e = held_elsewhere ? held_key(o, c->auth.key) : open_key(o, c->auth.key); !e.empty()) return e;
  } else if (o.auth == "pubkey" || o.auth == "cert") {
    const bool cert = o.auth == "cert";
    c->auth.method = cert ? ike::AuthMethod::Certificate : ike::AuthMethod::RawPublicKey;
    if (auto e = held_elsewhere ? held_key(o, c->auth.key) : open_key(o, c->auth.key); !e.empty()) return e;
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

  if (!o.ppk_id.empty() || !o.ppk_file.empty()) {
    ike::Ppk ppk;
    if (auto e = custody::load_ppk_file(o.ppk_id, o.ppk_file, ppk); !e.empty()) return e;
    c->ppk.keys.push_back(std::move(ppk));
  } else if (o.ppk_required) {
    return "ppk-required needs ppk-id and ppk-file (the post-quantum preshared key, docs/security.md)";
  }
  c->ppk.required = o.ppk_required;

  c->timers.dpd_interval = ike::Millis(o.liveness_interval_ms);
  c->timers.retransmit_base = ike::Millis(std::max<uint32_t>(o.retransmit_base_ms, 50));
  c->timers.retransmit_limit = o.retransmit_limit;
  out.ike = std::move(c);
  return {};
}

}  // namespace linkcrypt::config
