// Where the key holder gets its long-term key: the one factory a PKCS#11 token plugs into (issue 11 §3).
#pragma once

#include <memory>
#include <string>

#include "long_term_key.h"

namespace linkcrypt::keyholder {

struct KeySource {
  enum class Kind { PskFile, PrivateKeyFile } kind = Kind::PskFile;
  std::string path;
};

// Loads the key with the common secret-file loader (owner and mode checked) and returns it,
// or nullptr with `error` set to one line for the operator (never key material).
[[nodiscard]] std::shared_ptr<ike::LongTermKey> load_long_term_key(const KeySource& src, std::string& error);

}  // namespace linkcrypt::keyholder
