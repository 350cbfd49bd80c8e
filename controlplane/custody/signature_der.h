// The RFC 7427 method-14 AUTH data around a raw token signature, and the SPKI of a token's public key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace linkcrypt::custody {

enum class SignatureKind : uint8_t { Ed25519, EcdsaP256, RsaPss };

// ASN.1 length | AlgorithmIdentifier | signature (RFC 7427 3). For ECDSA, `raw` is r||s as
// PKCS#11 returns it (RFC 7427 A.3 wants the DER ECDSA-Sig-Value); for RSA-PSS the signature
// as it is (as long as the modulus, 256..512 octets). nullopt if malformed.
[[nodiscard]] std::optional<std::vector<uint8_t>> method14_auth(SignatureKind kind, std::span<const uint8_t> raw);

// SubjectPublicKeyInfo from CKA_EC_POINT (raw or wrapped in a DER OCTET STRING); nullopt if
// the point has the wrong size for the kind.
[[nodiscard]] std::optional<std::vector<uint8_t>> spki_from_ec_point(SignatureKind kind, std::span<const uint8_t> point);

// SubjectPublicKeyInfo (rsaEncryption) from CKA_MODULUS and CKA_PUBLIC_EXPONENT (big-endian);
// nullopt below 2048 bits or on malformed input.
[[nodiscard]] std::optional<std::vector<uint8_t>> spki_from_rsa(std::span<const uint8_t> modulus,
                                                                std::span<const uint8_t> exponent);

}  // namespace linkcrypt::custody
