// SKEYSEED, SK_* and child KEYMAT derivation with prf / prf+ (RFC 7296 2.13, 2.14, 2.17, 2.18).
#include "ike_keys.h"

#include <vector>

#include "byte_writer.h"
#include "ike_crypto.h"

namespace linkcrypt::ike {

bool derive_ike_keys(const IkeSuite& suite, std::span<const uint8_t> g_ir, std::span<const uint8_t> ni,
                     std::span<const uint8_t> nr, uint64_t spi_i, uint64_t spi_r, const SecretBytes* old_sk_d,
                     Prf old_prf, IkeKeys& out) {
  SecretBytes skeyseed;
  if (old_sk_d == nullptr) {
    // RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir).
    SecretBytes key(ni.size() + nr.size());
    std::copy(ni.begin(), ni.end(), key.mut().begin());
    std::copy(nr.begin(), nr.end(), key.mut().begin() + ni.size());
    skeyseed = SecretBytes(prf_len(suite.prf));
    if (!prf(suite.prf, key.view(), {g_ir}, skeyseed.mut())) return false;
  } else {
    // RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF.
    skeyseed = SecretBytes(prf_len(old_prf));
    if (!prf(old_prf, old_sk_d->view(), {g_ir, ni, nr}, skeyseed.mut())) return false;
  }
  ByteWriter seed;
  seed.put_bytes(ni);
  seed.put_bytes(nr);
  seed.put_u64(spi_i);
  seed.put_u64(spi_r);
  // {SK_d | SK_ei | SK_er | SK_pi | SK_pr}: no SK_a with an AEAD (RFC 5282 7.1).
  const size_t prf_out_len = prf_len(suite.prf);
  const size_t sk_e_len = suite.encr_key_bits / 8 + kGcmSaltLen;
  SecretBytes stream(3 * prf_out_len + 2 * sk_e_len);
  if (!prf_plus(suite.prf, skeyseed.view(), seed.view(), stream.mut())) return false;
  auto take = [&](size_t off, size_t len) { return SecretBytes(stream.view().subspan(off, len)); };
  out.sk_d = take(0, prf_out_len);
  out.sk_ei = take(prf_out_len, sk_e_len);
  out.sk_er = take(prf_out_len + sk_e_len, sk_e_len);
  out.sk_pi = take(prf_out_len + 2 * sk_e_len, prf_out_len);
  out.sk_pr = take(2 * prf_out_len + 2 * sk_e_len, prf_out_len);
  return true;
}

bool ppk_key(Prf p, std::span<const uint8_t> ppk, std::span<const uint8_t> key, SecretBytes& out) {
  SecretBytes k(key.size());
  if (!prf_plus(p, ppk, key, k.mut())) return false;
  out = std::move(k);
  return true;
}

bool apply_ppk(Prf p, std::span<const uint8_t> ppk, IkeKeys& keys) {
  SecretBytes d, pi, pr;
  if (!ppk_key(p, ppk, keys.sk_d.view(), d) || !ppk_key(p, ppk, keys.sk_pi.view(), pi) ||
      !ppk_key(p, ppk, keys.sk_pr.view(), pr))
    return false;
  keys.sk_d = std::move(d);
  keys.sk_pi = std::move(pi);
  keys.sk_pr = std::move(pr);
  return true;
}

ChildKeyLayout layout_for(MacsecSuite suite) {
  switch (suite) {
    case MacsecSuite::GcmAes128: return {16, 0};
    case MacsecSuite::GcmAes256: return {32, 0};
    case MacsecSuite::GcmAesXpn128: return {16, 12};
    case MacsecSuite::GcmAesXpn256: return {32, 12};
  }
  return {};
}

ChildKeyLayout layout_for_esp(uint16_t key_bits) { return {size_t{key_bits} / 8, 4}; }

bool derive_child_keys(Prf p, std::span<const uint8_t> sk_d, std::span<const uint8_t> g_ir,
                       std::span<const uint8_t> ni, std::span<const uint8_t> nr, const ChildKeyLayout& layout,
                       ChildKeymat& out) {
  SecretBytes seed(g_ir.size() + ni.size() + nr.size());
  auto s = seed.mut();
  std::copy(g_ir.begin(), g_ir.end(), s.begin());
  std::copy(ni.begin(), ni.end(), s.begin() + g_ir.size());
  std::copy(nr.begin(), nr.end(), s.begin() + g_ir.size() + ni.size());
  const size_t direction_len = layout.key_len + layout.salt_len;
  SecretBytes km(2 * direction_len);
  if (!prf_plus(p, sk_d, seed.view(), km.mut())) return false;
  const auto v = km.view();
  out.i2r_key = SecretBytes(v.subspan(0, layout.key_len));
  out.i2r_salt = SecretBytes(v.subspan(layout.key_len, layout.salt_len));
  out.r2i_key = SecretBytes(v.subspan(direction_len, layout.key_len));
  out.r2i_salt = SecretBytes(v.subspan(direction_len + layout.key_len, layout.salt_len));
  return true;
}

}  // namespace linkcrypt::ike
