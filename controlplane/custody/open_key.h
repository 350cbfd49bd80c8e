// The one factory for the long-term key behind IKE_AUTH: from the key files, or on a PKCS#11 token (RFC 7512 URI).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keying_config.h"
#include "long_term_key.h"

namespace linkcrypt::custody {

// psk-file / psk-uri (auth = psk), private-key-file / private-key-uri (pubkey, cert). On
// failure returns nullptr and one error line for the operator (exit 2), with a hint; never
// any key or PIN octet. `kind` (optional) receives the typed cause.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> open_long_term_key(const config::KeyingOptions& o, std::string& error,
                                                                   ike::KeyError* kind = nullptr);

// What to do about a key error, in one clause (also used in start-up refusals).
[[nodiscard]] std::string_view key_error_hint(ike::KeyError e);
[[nodiscard]] std::string_view key_error_name(ike::KeyError e);

}  // namespace linkcrypt::custody
