// load_long_term_key: the PSK or private-key file into a key held in this (the key holder's) process.
#include "key_source.h"

#include "secret_file.h"

namespace linkcrypt::keyholder {
namespace {
constexpr size_t kMaxFileLen = 64 * 1024;
constexpr size_t kMinPskLen = 16;
}  // namespace

std::shared_ptr<ike::LongTermKey> load_long_term_key(const KeySource& src, std::string& error) {
  SecretBytes raw;
  const char* what = src.kind == KeySource::Kind::PskFile ? "psk-file" : "private-key-file";
  if (auto r = load_secret_file(what, src.path, kMaxFileLen, raw); !r.message.empty()) {
    error = r.message;
    return nullptr;
  }
  if (src.kind == KeySource::Kind::PskFile) {
    size_t len = raw.size();
    if (len > 0 && raw.view()[len - 1] == '\n') --len;  // one trailing newline is not key (as keying_config)
    if (len < kMinPskLen) {
      error = "psk-file " + src.path + " holds fewer than 16 octets: use a longer key";
      return nullptr;
    }
    return ike::make_in_process_psk(SecretBytes(raw.view().first(len)));
  }
  auto key = ike::make_in_process_signing_key(raw.view());
  if (!key) error = "private-key-file " + src.path + " is not a PEM Ed25519 or ECDSA P-256 private key";
  return key;
}

}  // namespace linkcrypt::keyholder
