// IKE_AUTH authentication: PSK MIC (RFC 7296 2.15), RFC 7427 signatures, raw keys and X.509 checks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike_session.h"
#include "openssl_handles.h"
#include "secret.h"

namespace linkcrypt::ike {

// <SignedOctets> = RealMessage | NonceData(peer) | prf(SK_p, RestOfIDPayload) (RFC 7296 2.15).
[[nodiscard]] std::optional<std::vector<uint8_t>> build_signed_octets(Prf p, std::span<const uint8_t> real_message,
                                                                      std::span<const uint8_t> peer_nonce,
                                                                      std::span<const uint8_t> sk_p,
                                                                      std::span<const uint8_t> id_body);

// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>) (RFC 7296 2.15).
[[nodiscard]] std::optional<std::vector<uint8_t>> build_psk_auth(Prf p, std::span<const uint8_t> psk,
                                                                 std::span<const uint8_t> signed_octets);

// A private key for RFC 7427 signatures: Ed25519 (RFC 8420), ECDSA P-256 with SHA-256, or RSA
// (>= 2048 bits) with RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32).
class SigningKey {
 public:
  static std::optional<SigningKey> from_pem(std::span<const uint8_t> pem);
  // AUTH data for method 14: ASN.1 length | AlgorithmIdentifier | signature (RFC 7427 3).
  [[nodiscard]] std::optional<std::vector<uint8_t>> sign(std::span<const uint8_t> octets) const;
  // Our SubjectPublicKeyInfo (DER), the RFC 7670 raw public key CERT payload content.
  [[nodiscard]] std::vector<uint8_t> public_key_der() const;

 private:
  explicit SigningKey(EvpPkeyPtr k) : key_(std::move(k)) {}
  EvpPkeyPtr key_;
};

// The RSASSA-PSS AlgorithmIdentifier (DER) every RSA signature here uses and accepts: SHA-256,
// MGF1-SHA-256, salt 32 (RFC 7427 3, RFC 4055 3.1); a token signer puts it in front of C_Sign's output.
[[nodiscard]] std::span<const uint8_t> rsa_pss_sha256_algorithm_id();
inline constexpr size_t kRsaPssSaltLen = 32;

[[nodiscard]] EvpPkeyPtr parse_public_key_der(std::span<const uint8_t> spki);
// Verifies method-14 AUTH data; the AlgorithmIdentifier must match the key type.
[[nodiscard]] bool verify_signature(EVP_PKEY* key, std::span<const uint8_t> auth_data, std::span<const uint8_t> octets);

enum class CertCheck : uint8_t { Ok, Expired, Untrusted, BadEncoding, IdMismatch };
// Parses a DER certificate and verifies it against the DER CA (RFC 5280 path validation by
// OpenSSL) at check_time (nullopt: system time), then that it names `peer_id` (RFC 7296 3.5:
// FQDN / RFC822 / IP against subjectAltName, or the subject CN when it has none; DER_ASN1_DN
// against the subject). On Ok, pub receives its public key.
[[nodiscard]] CertCheck verify_certificate(std::span<const uint8_t> cert_der, std::span<const uint8_t> ca_der,
                                           std::optional<int64_t> check_time, const Identity& peer_id,
                                           EvpPkeyPtr& pub);

}  // namespace linkcrypt::ike
