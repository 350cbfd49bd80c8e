// What the audit log and `linkcryptctl keys` call a long-term key: a name and a fingerprint that never reveal it.
#pragma once

#include <string>

namespace linkcrypt::custody {

struct KeyDescription {
  std::string name;         // the redacted PKCS#11 URI, or "psk-file /etc/..", "private-key-file /etc/.."
  std::string kind;         // psk | ed25519 | ecdsa-p256
  std::string fingerprint;  // "sha256:..." of the SPKI; PSKs: see docs/hsm.md (never the key itself)
};

// Implemented by every key custody opens, so the audit decorator can name it.
class Described {
 public:
  virtual ~Described() = default;
  [[nodiscard]] virtual KeyDescription description() const = 0;
};

}  // namespace linkcrypt::custody
