// IKEv2 crypto primitives over OpenSSL 3: ECDH groups, HMAC PRFs and prf+, AES-GCM-16 SK payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike_session.h"
#include "openssl_handles.h"
#include "secret.h"

namespace linkcrypt::ike {

// ---- Key exchange (RFC 8031 Curve25519, RFC 5903 ECP groups) --------------------------------

[[nodiscard]] size_t ke_public_len(DhGroup g);  // 32 / 64 / 96 octets
[[nodiscard]] bool is_supported_group(uint16_t id);

class DhKey {
 public:
  // A fresh ephemeral key from OpenSSL's CSPRNG; nullopt only if OpenSSL fails.
  static std::optional<DhKey> generate(DhGroup group);
  // A Curve25519 key from a known scalar: only for known-answer tests (RFC 7748 5.2, 6.1).
  static std::optional<DhKey> from_private_x25519(std::span<const uint8_t, 32> scalar);
  [[nodiscard]] DhGroup group() const { return group_; }
  // The KE payload data: X25519 u-coordinate, or x|y for ECP (RFC 5903 7).
  [[nodiscard]] const std::vector<uint8_t>& public_value() const { return public_; }
  // g^ir. Rejects a peer value of the wrong length, not on the curve, or (X25519) one giving the
  // all-zero output (RFC 8031 2.3; RFC 7748 6.1). nullopt on any failure.
  [[nodiscard]] std::optional<SecretBytes> derive(std::span<const uint8_t> peer_public) const;

 private:
  DhKey(DhGroup g, EvpPkeyPtr k, std::vector<uint8_t> pub) : group_(g), key_(std::move(k)), public_(std::move(pub)) {}
  DhGroup group_;
  EvpPkeyPtr key_;
  std::vector<uint8_t> public_;
};

// ---- PRF (RFC 4868 HMAC-SHA2 as IKEv2 PRFs) --------------------------------------------------

[[nodiscard]] size_t prf_len(Prf p);  // 32 / 48 / 64; also the preferred key length
// prf(key, parts[0] | parts[1] | ...) into out (prf_len octets). False on OpenSSL failure.
[[nodiscard]] bool prf(Prf p, std::span<const uint8_t> key, std::initializer_list<std::span<const uint8_t>> parts,
                       std::span<uint8_t> out);
// prf+ (RFC 7296 2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); first out.size() octets.
[[nodiscard]] bool prf_plus(Prf p, std::span<const uint8_t> key, std::span<const uint8_t> seed, std::span<uint8_t> out);

// ---- AES-GCM with 16-octet ICV, as the SK payload uses it (RFC 5282) ---------------------------

constexpr size_t kGcmIvLen = 8;    // explicit IV in each SK payload (RFC 5282 3.1)
constexpr size_t kGcmSaltLen = 4;  // from the end of SK_e (RFC 5282 7.1)
constexpr size_t kGcmIcvLen = 16;

// Seals plaintext: out = ciphertext | ICV. key_salt = SK_e (key | 4-octet salt).
[[nodiscard]] bool gcm_seal(std::span<const uint8_t> key_salt, std::span<const uint8_t, kGcmIvLen> iv,
                            std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
                            std::vector<uint8_t>& out);
// Opens ciphertext|ICV; false if the ICV does not verify (nothing written then).
[[nodiscard]] bool gcm_open(std::span<const uint8_t> key_salt, std::span<const uint8_t, kGcmIvLen> iv,
                            std::span<const uint8_t> aad, std::span<const uint8_t> ct_icv, SecretBytes& out);

[[nodiscard]] bool random_bytes(std::span<uint8_t> out);
[[nodiscard]] uint64_t random_u64();
[[nodiscard]] uint32_t random_u32();

// SHA-1 for the NAT_DETECTION hashes (RFC 7296 2.23) and SHA-256 for cookies.
[[nodiscard]] std::vector<uint8_t> sha1(std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace linkcrypt::ike
