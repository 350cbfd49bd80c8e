// The long-term key on a PKCS#11 token: PSK (CKK_GENERIC_SECRET, HMAC on the token) or Ed25519 / ECDSA P-256 (C_Sign).
#pragma once

#include <memory>
#include <string>

#include "long_term_key.h"
#include "pkcs11_uri.h"
#include "secret.h"

namespace linkcrypt::custody {

enum class TokenKeyKind : uint8_t { Psk, Signing };

// Loads the module, logs in with `pin`, finds exactly one object and, for a signing key, its
// public key (same CKA_ID). On failure returns nullptr, `kind` says why (Denied: wrong PIN,
// NotFound: no such object, Unavailable: no such token) and `error` gives the line.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> open_token_key(TokenKeyKind want, const Pkcs11Uri& uri,
                                                               const std::string& module_path, SecretBytes pin,
                                                               ike::KeyError& kind, std::string& error);

}  // namespace linkcrypt::custody
