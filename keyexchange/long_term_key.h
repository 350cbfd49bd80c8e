// The long-term credential behind IKE_AUTH as a service: sessions never hold the key, they ask for the two operations it is used for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ike_session.h"
#include "secret.h"

namespace linkcrypt::ike {

class SigningKey;

// Which use of the key a request serves: the audit log's "what, for whom" (issue 11 §4).
enum class KeyPurpose : uint8_t {
  OurAuth,         // our AUTH payload (PSK MIC or signature)
  VerifyPeerAuth,  // recomputing the PSK MIC the peer sent
};

struct KeyUseContext {
  KeyPurpose purpose = KeyPurpose::OurAuth;
  uint64_t spi_i = 0, spi_r = 0;
  // The peer's identity: from its ID payload when verifying; the configured remote id (if any)
  // when we build our AUTH before the peer has shown its own.
  std::optional<Identity> peer;
};

// Why a use failed, in terms an operator can act on (the failure hint names the fix).
enum class KeyError : uint8_t {
  None,
  Unavailable,  // the token or the key holder is gone or does not answer
  NotFound,     // the object the URI names is not on the token
  Denied,       // wrong PIN, or the token refuses the operation
  Unsupported,  // the key cannot do this (a PSK asked to sign, an unsupported key type)
  Failed,       // the crypto library or token reported an error
};

struct KeyResult {
  std::vector<uint8_t> bytes;  // the AUTH data when error == None
  KeyError error = KeyError::None;
  std::string detail;  // words for the log; never key material
  [[nodiscard]] bool ok() const { return error == KeyError::None; }
  static KeyResult fail(KeyError e, std::string d) { return KeyResult{{}, e, std::move(d)}; }
  static KeyResult of(std::vector<uint8_t> b) { return KeyResult{std::move(b), KeyError::None, {}}; }
};

// Implementations: the key in this process (from the key files, below), a PKCS#11 token, a
// key-holder process. Calls are synchronous and come from the thread that runs the sessions.
class LongTermKey {
 public:
  virtual ~LongTermKey() = default;
  // AUTH = prf(prf(PSK, "Key Pad for IKEv2"), signed_octets) (RFC 7296 2.15). PSKs only.
  [[nodiscard]] virtual KeyResult psk_auth(Prf prf, std::span<const uint8_t> signed_octets,
                                           const KeyUseContext& use) = 0;
  // Method-14 AUTH data: ASN.1 length | AlgorithmIdentifier | signature (RFC 7427 3). Signing keys only.
  [[nodiscard]] virtual KeyResult sign(std::span<const uint8_t> signed_octets, const KeyUseContext& use) = 0;
  // SubjectPublicKeyInfo (DER) of a signing key, the RFC 7670 raw public key; empty for a PSK.
  [[nodiscard]] virtual std::vector<uint8_t> public_key_der() const = 0;
};

// The PSK in this process's memory (moved in, wiped when the key dies).
[[nodiscard]] std::shared_ptr<LongTermKey> make_in_process_psk(SecretBytes psk);
// An Ed25519 or P-256 private key in this process's memory, from PEM; nullptr if unusable.
[[nodiscard]] std::shared_ptr<LongTermKey> make_in_process_signing_key(std::span<const uint8_t> pem);

}  // namespace linkcrypt::ike
