// The long-term key read from psk-file or private-key-file into this process (the default without a token).
#pragma once

#include <memory>
#include <string>

#include "long_term_key.h"

namespace linkcrypt::custody {

// The PSK file (one trailing newline is not key; at least 16 octets). nullptr + error line.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> open_psk_file(const std::string& path, std::string& error);
// An Ed25519 or ECDSA P-256 PEM private key. nullptr + error line.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> open_private_key_file(const std::string& path, std::string& error);

}  // namespace linkcrypt::custody
