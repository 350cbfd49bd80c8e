// open_long_term_key: key file or PKCS#11 URI, PIN from a 0600 file, refusals with a hint.
#include "open_key.h"

#include "file_key.h"
#include "pkcs11_key.h"
#include "pkcs11_uri.h"
#include "secret_file.h"

namespace linkcrypt::custody {
namespace {

constexpr size_t kMaxPinLen = 256;

// The PIN: pin-file, or the URI's pin-source (RFC 7512 2.4: a file). A pin-value is refused:
// it would put the PIN in a config file that is not a secret file.
std::string load_pin(const config::KeyingOptions& o, const Pkcs11Uri& uri, SecretBytes& pin) {
  if (uri.pin_value) return "the URI's pin-value puts the PIN in the config file: put it in pin-file (mode 0600) instead";
  std::string path = o.pin_file;
  std::string what = "pin-file";
  if (uri.pin_source) {
    if (!path.empty()) return "both pin-file and the URI's pin-source name the PIN: keep one";
    path = *uri.pin_source;
    if (path.rfind("file:", 0) == 0) path = path.substr(5);
    what = "pin-source";
  }
  if (path.empty()) return "a PKCS#11 key needs its PIN: set pin-file (mode 0600, the user PIN on one line)";
  SecretBytes raw;
  if (auto r = load_secret_file(what, path, kMaxPinLen, raw); !r.ok()) return r.message;
  size_t len = raw.size();
  if (len > 0 && raw.view()[len - 1] == '\n') --len;
  if (len == 0) return what + " " + path + " holds an empty PIN";
  pin = SecretBytes(raw.view().first(len));
  return {};
}

std::shared_ptr<ike::LongTermKey> open_uri(const config::KeyingOptions& o, const char* option, const std::string& text,
                                           TokenKeyKind want, std::string& error, ike::KeyError& kind) {
  kind = ike::KeyError::Failed;
  Pkcs11Uri uri;
  if (auto e = parse_pkcs11_uri(text, uri); !e.empty()) {
    error = std::string(option) + ": " + e;
    return nullptr;
  }
  if (!uri.object && !uri.id) {
    error = std::string(option) + " names no key: give object= (CKA_LABEL) or id= (CKA_ID)";
    return nullptr;
  }
  std::string module = o.pkcs11_module;
  if (uri.module_path) {
    if (!module.empty() && module != *uri.module_path) {
      error = std::string(option) + ": module-path differs from pkcs11-module: keep one";
      return nullptr;
    }
    module = *uri.module_path;
  }
  if (module.empty()) {
    error = std::string(option) + " needs the token's module: set pkcs11-module (e.g. /usr/lib/softhsm/libsofthsm2.so)";
    return nullptr;
  }
  SecretBytes pin;
  if (auto e = load_pin(o, uri, pin); !e.empty()) {
    error = e;
    return nullptr;
  }
  std::string why;
  auto key = open_token_key(want, uri, module, std::move(pin), kind, why);
  if (!key) {
    error = std::string(option) + " " + redacted_uri(uri) + ": " + std::string(key_error_name(kind)) + ": " + why +
            "; hint: " + std::string(key_error_hint(kind));
  }
  return key;
}

}  // namespace

std::string_view key_error_name(ike::KeyError e) {
  switch (e) {
    case ike::KeyError::None: return "None";
    case ike::KeyError::Unavailable: return "Unavailable";
    case ike::KeyError::NotFound: return "NotFound";
    case ike::KeyError::Denied: return "Denied";
    case ike::KeyError::Unsupported: return "Unsupported";
    case ike::KeyError::Failed: return "Failed";
  }
  return "Failed";
}

std::string_view key_error_hint(ike::KeyError e) {
  switch (e) {
    case ike::KeyError::Denied:
      return "the PIN in pin-file is wrong, or the token refuses this key's use (a locked PIN needs the SO to reset it)";
    case ike::KeyError::NotFound:
      return "no such object: list the token with pkcs11-tool --module MODULE --login -O and fix object=/id= in the URI";
    case ike::KeyError::Unavailable:
      return "the token is absent or does not answer: plug it in, check pkcs11-module and token= (p11tool --list-tokens)";
    case ike::KeyError::Unsupported:
      return "the key type does not fit: a PSK must be CKK_GENERIC_SECRET, a signing key Ed25519, ECDSA P-256 or RSA (>= 2048 bits, signs with PSS)";
    case ike::KeyError::Failed:
    case ike::KeyError::None: break;
  }
  return "see the token's and the daemon's logs";
}

std::shared_ptr<ike::LongTermKey> open_long_term_key(const config::KeyingOptions& o, std::string& error,
                                                     ike::KeyError* kind_out) {
  ike::KeyError kind = ike::KeyError::Failed;
  std::shared_ptr<ike::LongTermKey> key;
  if (o.auth == "psk") {
    if (!o.psk_file.empty() && !o.psk_uri.empty()) {
      error = "psk-file and psk-uri are both set: keep one";
    } else if (!o.psk_uri.empty()) {
      key = open_uri(o, "psk-uri", o.psk_uri, TokenKeyKind::Psk, error, kind);
    } else if (!o.psk_file.empty()) {
      key = open_psk_file(o.psk_file, error);
    } else {
      error = "auth = psk needs psk-file or psk-uri";
    }
  } else {
    if (!o.private_key_file.empty() && !o.private_key_uri.empty()) {
      error = "private-key-file and private-key-uri are both set: keep one";
    } else if (!o.private_key_uri.empty()) {
      key = open_uri(o, "private-key-uri", o.private_key_uri, TokenKeyKind::Signing, error, kind);
    } else if (!o.private_key_file.empty()) {
      key = open_private_key_file(o.private_key_file, error);
    } else {
      error = "auth = " + o.auth + " needs private-key-file or private-key-uri";
    }
  }
  if (kind_out) *kind_out = key ? ike::KeyError::None : kind;
  return key;
}

}  // namespace linkcrypt::custody
