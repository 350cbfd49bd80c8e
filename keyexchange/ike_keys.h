// IKE SA key schedule (RFC 7296 2.14, 2.18) and child SA KEYMAT slicing (2.17, design.md §4).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "ike_session.h"
#include "secret.h"

namespace linkcrypt::ike {

struct IkeSuite {
  uint16_t encr_key_bits = 256;  // ENCR_AES_GCM_16
  Prf prf = Prf::HmacSha2_256;
  DhGroup group = DhGroup::Curve25519;
};

// SK_ai/SK_ar are absent: AES-GCM is an AEAD (RFC 5282 7.1). SK_e* = key | 4-octet salt.
struct IkeKeys {
  SecretBytes sk_d, sk_ei, sk_er, sk_pi, sk_pr;
};

// Initial SA: SKEYSEED = prf(Ni | Nr, g^ir). Rekey (old_sk_d set, 2.18):
// SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr). Then prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
// old_prf is the PRF of the old IKE SA (used for the rekey SKEYSEED).
[[nodiscard]] bool derive_ike_keys(const IkeSuite& suite, std::span<const uint8_t> g_ir, std::span<const uint8_t> ni,
                                   std::span<const uint8_t> nr, uint64_t spi_i, uint64_t spi_r,
                                   const SecretBytes* old_sk_d, Prf old_prf, IkeKeys& out);

// RFC 8784 3: SK_d = prf+(PPK, SK_d'), SK_pi = prf+(PPK, SK_pi'), SK_pr = prf+(PPK, SK_pr'),
// each as long as the key it replaces. SK_e* are left as they are (IKE_AUTH is already under
// them). Applied before AUTH is computed; children and IKE rekeys then use the new SK_d.
[[nodiscard]] bool ppk_key(Prf prf, std::span<const uint8_t> ppk, std::span<const uint8_t> key, SecretBytes& out);
[[nodiscard]] bool apply_ppk(Prf prf, std::span<const uint8_t> ppk, IkeKeys& keys);

// Octets per direction of a child SA.
struct ChildKeyLayout {
  size_t key_len = 0;   // SAK or ESP encryption key
  size_t salt_len = 0;  // 12 for MACsec XPN, 0 for non-XPN MACsec, 4 for ESP AES-GCM
};
[[nodiscard]] ChildKeyLayout layout_for(MacsecSuite suite);
[[nodiscard]] ChildKeyLayout layout_for_esp(uint16_t key_bits);

// KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr) (RFC 7296 2.17); i->r slice first, then r->i; per
// direction key then salt (design.md §4, RFC 4106 8.1 for ESP).
struct ChildKeymat {
  SecretBytes i2r_key, i2r_salt, r2i_key, r2i_salt;
};
[[nodiscard]] bool derive_child_keys(Prf prf, std::span<const uint8_t> sk_d, std::span<const uint8_t> g_ir,
                                     std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                     const ChildKeyLayout& layout, ChildKeymat& out);

}  // namespace linkcrypt::ike
