// Where the key holder gets its long-term key (a file or a PKCS#11 token), and the command line that names it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "long_term_key.h"

namespace linkcrypt::keyholder {

// The key options of docs/config.md that the key holder, not linkcryptd, reads: the key file or
// the token URI, the token's module and the file with its PIN. Exactly one of the four key
// options is set.
struct KeySource {
  std::string psk_file, psk_uri, private_key_file, private_key_uri;
  std::string pkcs11_module, pin_file;

  [[nodiscard]] bool psk() const { return !psk_file.empty() || !psk_uri.empty(); }
  [[nodiscard]] bool token() const { return !psk_uri.empty() || !private_key_uri.empty(); }
  // "psk-uri pkcs11:token=...": for the ready line (never the PIN, which is only a path here).
  [[nodiscard]] std::string text() const;
};

// linkcryptd's side: the key holder's arguments (--psk-file P, --pkcs11-module M ...).
[[nodiscard]] std::vector<std::string> key_source_args(const KeySource& src);
// The key holder's side: takes the flag at argv[i] and its value (i advances); false if `flag`
// is not a key-source flag. `error` is set when a flag repeats.
[[nodiscard]] bool take_key_source_arg(const std::string& flag, const std::string& value, KeySource& src,
                                       std::string& error);
// Empty when exactly one key is named, else what is wrong.
[[nodiscard]] std::string check_key_source(const KeySource& src);

// Opens the key with custody::open_long_term_key, the factory linkcryptd uses in process (key
// files: owner and mode checked; tokens: the PIN read here, in the key holder). nullptr with
// `error` set to one line and `kind` to the typed cause for the operator (never key or PIN material).
[[nodiscard]] std::shared_ptr<ike::LongTermKey> load_long_term_key(const KeySource& src, std::string& error,
                                                                  ike::KeyError& kind);

}  // namespace linkcrypt::keyholder
