// MKA's key hierarchy (IEEE 802.1X-2020 6.2, 9.3, 9.8): AES-CMAC, the counter-mode KDF, ICK/KEK/SAK derivation, the MKPDU ICV, AES Key Wrap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "secret.h"

namespace linkcrypt::mka {

inline constexpr size_t kIcvLen = 16;     // 802.1X-2020 11.11: the default ICV is 128 bits
inline constexpr size_t kMiLen = 12;      // Member Identifier (9.4.1)
inline constexpr size_t kMaxCknLen = 32;  // 9.3.1

// AES-CMAC (RFC 4493; NIST SP 800-38B) over the concatenation of parts, with a 128- or 256-bit key.
[[nodiscard]] bool aes_cmac(std::span<const uint8_t> key, std::span<const std::span<const uint8_t>> parts,
                            std::span<uint8_t, 16> out);

// NIST SP 800-108 counter mode with AES-CMAC as the PRF. Block i (from 1) is
// CMAC(key, [i] | label | 0x00 | context | [L]), [i] in counter_octets and [L] (the output length
// in bits) in length_octets, both big-endian. 802.1X-2020 6.2.1 fixes them at 1 and 2 octets;
// OpenSSL 3.0's KBKDF at 4 and 4, which the tests use to check the construction.
[[nodiscard]] bool kdf_counter_cmac(std::span<const uint8_t> key, size_t counter_octets, size_t length_octets,
                                    std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out);

// The 802.1X-2020 6.2.1 KDF: KDF(Key, Label, Context, Length), Length = out.size() octets.
[[nodiscard]] bool kdf(std::span<const uint8_t> key, std::string_view label, std::span<const uint8_t> context,
                       std::span<uint8_t> out);

// 9.3.3: ICK and KEK from the CAK, with the first 16 octets of the CKN (zero padded) as context.
// Each is as long as the CAK (16 or 32 octets).
[[nodiscard]] std::optional<SecretBytes> derive_ick(std::span<const uint8_t> cak, std::span<const uint8_t> ckn);
[[nodiscard]] std::optional<SecretBytes> derive_kek(std::span<const uint8_t> cak, std::span<const uint8_t> ckn);

// 9.8.1: SAK = KDF(CAK, "IEEE8021 SAK", KS-nonce | MI-value list | KN, SAK length).
// mi_list: the key server's and the live peers' MIs, in the order the key server lists them.
[[nodiscard]] std::optional<SecretBytes> derive_sak(std::span<const uint8_t> cak, std::span<const uint8_t> ks_nonce,
                                                    std::span<const std::span<const uint8_t, kMiLen>> mi_list,
                                                    uint32_t key_number, size_t sak_len);

// 9.4.1 / 11.11: the ICV of an MKPDU is AES-CMAC(ICK, every octet before the ICV, starting
// with the destination MAC address).
[[nodiscard]] bool mkpdu_icv(std::span<const uint8_t> ick, std::span<const uint8_t> covered,
                             std::span<uint8_t, kIcvLen> out);

// RFC 3394 AES Key Wrap with the default IV (OpenSSL's id-aesNNN-wrap), for the Distributed SAK
// parameter set (11.11.3). kek is 16 or 32 octets; key a multiple of 8 octets, at least 16.
[[nodiscard]] std::optional<std::vector<uint8_t>> aes_key_wrap(std::span<const uint8_t> kek,
                                                               std::span<const uint8_t> key);
// The inverse; nullopt when the integrity check fails (a wrong KEK or a forged parameter set).
[[nodiscard]] std::optional<SecretBytes> aes_key_unwrap(std::span<const uint8_t> kek,
                                                        std::span<const uint8_t> wrapped);

}  // namespace linkcrypt::mka
