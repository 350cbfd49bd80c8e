// Key files → in-process LongTermKey, named for the audit log (a PSK by an HMAC that does not reveal it).
#include "file_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstring>
#include <string_view>

#include "hex.h"
#include "key_description.h"
#include "openssl_handles.h"
#include "secret_file.h"

namespace linkcrypt::custody {
namespace {

constexpr size_t kMinPskLen = 16;
// The PSK's fingerprint is HMAC-SHA256(PSK, this label), first 16 octets: it names the key in
// the audit log, tells two keys apart, and gives nothing an eavesdropper of IKE_AUTH lacks.
constexpr std::string_view kFingerprintLabel = "linkcrypt audit key fingerprint";

// Forwards to the in-process key and says which file it came from.
class FileKey final : public ike::LongTermKey, public Described {
 public:
  FileKey(std::shared_ptr<ike::LongTermKey> inner, KeyDescription d) : inner_(std::move(inner)), d_(std::move(d)) {}
  ike::KeyResult psk_auth(ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use) override {
    return inner_->psk_auth(prf, octets, use);
  }
  ike::KeyResult sign(std::span<const uint8_t> octets, const ike::KeyUseContext& use) override {
    return inner_->sign(octets, use);
  }
  std::vector<uint8_t> public_key_der() const override { return inner_->public_key_der(); }
  KeyDescription description() const override { return d_; }

 private:
  std::shared_ptr<ike::LongTermKey> inner_;
  KeyDescription d_;
};

std::string check_private_key(const std::string& path, const SecretBytes& pem, std::string& kind) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.view().data(), static_cast<int>(pem.size())), BIO_free);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return "private-key-file " + path + " is not a PEM private key (Ed25519, ECDSA P-256 or RSA)";
  // IKE AUTH here signs with Ed25519 (RFC 8420), ECDSA P-256 or RSA-PSS (RFC 7427) only: refuse any other
  // key now rather than fail every handshake later.
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type == EVP_PKEY_ED25519) {
    kind = "ed25519";
    return {};
  }
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len) == 1 &&
        (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)) {
      kind = "ecdsa-p256";
      return {};
    }
    return "private-key-file " + path + " is an EC key on curve " + (group[0] ? group : "unknown") +
           ": only Ed25519, ECDSA P-256 and RSA (RSASSA-PSS) are supported";
  }
  if (type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) {
    // RFC 7427 signatures with RSASSA-PSS (SHA-256, salt 32); PKCS#1 v1.5 is never used.
    const int bits = EVP_PKEY_get_bits(key.get());
    if (bits < 2048) {
      return "private-key-file " + path + " is a " + std::to_string(bits) + "-bit RSA key: at least 2048 bits";
    }
    kind = "rsa-pss";
    return {};
  }
  const char* name = EVP_PKEY_get0_type_name(key.get());
  return "private-key-file " + path + " is an " + (name ? name : "unknown") +
         " key: only Ed25519, ECDSA P-256 and RSA (RSASSA-PSS) are supported";
}

}  // namespace

std::shared_ptr<ike::LongTermKey> open_psk_file(const std::string& path, std::string& error) {
  SecretBytes raw;
  if (auto r = load_secret_file("psk-file", path, kMaxSecretFileLen, raw); !r.ok()) {
    error = r.message;
    return nullptr;
  }
  size_t len = raw.size();
  if (len > 0 && raw.view()[len - 1] == '\n') --len;  // one trailing newline is not key
  if (len < kMinPskLen) {
    error = "psk-file " + path + " holds fewer than 16 octets: use a longer key";
    return nullptr;
  }
  const auto psk = raw.view().first(len);
  uint8_t mac[SHA256_DIGEST_LENGTH];
  unsigned mac_len = 0;
  HMAC(EVP_sha256(), psk.data(), static_cast<int>(psk.size()),
       reinterpret_cast<const uint8_t*>(kFingerprintLabel.data()), kFingerprintLabel.size(), mac, &mac_len);
  KeyDescription d{"psk-file " + path, "psk", "hmac-sha256:" + to_hex(std::span<const uint8_t>(mac, 16), false)};
  // The key lives in one holder from here on; sessions ask it for AUTH values (long_term_key.h).
  return std::make_shared<FileKey>(ike::make_in_process_psk(SecretBytes(psk)), std::move(d));
}

std::shared_ptr<ike::LongTermKey> open_private_key_file(const std::string& path, std::string& error) {
  SecretBytes pem;
  if (auto r = load_secret_file("private-key-file", path, kMaxSecretFileLen, pem); !r.ok()) {
    error = r.message;
    return nullptr;
  }
  std::string kind;
  if (auto e = check_private_key(path, pem, kind); !e.empty()) {
    error = e;
    return nullptr;
  }
  auto key = ike::make_in_process_signing_key(pem.view());
  if (!key) {
    error = "private-key-file " + path + ": the key could not be loaded";
    return nullptr;
  }
  const auto spki = key->public_key_der();
  uint8_t h[SHA256_DIGEST_LENGTH];
  SHA256(spki.data(), spki.size(), h);
  KeyDescription d{"private-key-file " + path, kind, "sha256:" + to_hex(h, false)};
  return std::make_shared<FileKey>(std::move(key), std::move(d));
}

}  // namespace linkcrypt::custody
