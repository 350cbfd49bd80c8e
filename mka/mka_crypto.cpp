// MKA's key hierarchy on OpenSSL 3: CMAC through EVP_MAC, key wrap through the id-aesNNN-wrap ciphers.
#include "mka_crypto.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

#include "openssl_handles.h"

namespace linkcrypt::mka {
namespace {

const char* cbc_for(size_t key_len) {
  if (key_len == 16) return "AES-128-CBC";
  if (key_len == 32) return "AES-256-CBC";
  return nullptr;
}

const char* wrap_for(size_t key_len) {
  if (key_len == 16) return "id-aes128-wrap";
  if (key_len == 32) return "id-aes256-wrap";
  return nullptr;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// 9.3.3: "the first 16 octets of the CKN, with null octets appended to pad if necessary".
std::array<uint8_t, 16> key_id_of(std::span<const uint8_t> ckn) {
  std::array<uint8_t, 16> id{};
  const size_t n = ckn.size() < id.size() ? ckn.size() : id.size();
  std::copy_n(ckn.begin(), n, id.begin());
  return id;
}

std::optional<SecretBytes> derive_same_length(std::span<const uint8_t> cak, std::string_view label,
                                              std::span<const uint8_t> ckn) {
  if (ckn.empty() || ckn.size() > kMaxCknLen) return std::nullopt;
  const auto id = key_id_of(ckn);
  SecretBytes out(cak.size());
  if (!kdf(cak, label, id, out.mut())) return std::nullopt;
  return out;
}

}  // namespace

bool aes_cmac(std::span<const uint8_t> key, std::span<const std::span<const uint8_t>> parts,
              std::span<uint8_t, 16> out) {
  const char* cipher = cbc_for(key.size());
  if (cipher == nullptr) return false;
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
  if (!mac) return false;
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return false;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher), 0), OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return false;
  for (const auto& p : parts)
    if (!p.empty() && EVP_MAC_update(ctx.get(), p.data(), p.size()) != 1) return false;
  size_t len = 0;
  return EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1 && len == out.size();
}

bool kdf_counter_cmac(std::span<const uint8_t> key, size_t counter_octets, size_t length_octets,
                      std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out) {
  if (counter_octets < 1 || counter_octets > 4 || length_octets < 1 || length_octets > 4 || out.empty()) return false;
  const uint64_t bits = static_cast<uint64_t>(out.size()) * 8;
  const size_t blocks = (out.size() + 15) / 16;
  if (length_octets < 8 && bits >> (8 * length_octets) != 0) return false;
  if (counter_octets < 8 && blocks >> (8 * counter_octets) != 0) return false;
  std::array<uint8_t, 4> len_be{};
  for (size_t k = 0; k < length_octets; ++k) len_be[k] = static_cast<uint8_t>(bits >> (8 * (length_octets - 1 - k)));
  static constexpr uint8_t kSeparator = 0x00;
  for (size_t i = 1; i <= blocks; ++i) {
    std::array<uint8_t, 4> ctr{};
    for (size_t k = 0; k < counter_octets; ++k) ctr[k] = static_cast<uint8_t>(i >> (8 * (counter_octets - 1 - k)));
    const std::span<const uint8_t> parts[] = {std::span(ctr).first(counter_octets), as_bytes(label),
                                              std::span(&kSeparator, 1), context, std::span(len_be).first(length_octets)};
    Secret<16> block;
    if (!aes_cmac(key, parts, block.mut())) return false;
    const size_t off = (i - 1) * 16;
    const size_t n = out.size() - off < 16 ? out.size() - off : 16;
    std::copy_n(block.view().begin(), n, out.begin() + static_cast<std::ptrdiff_t>(off));
  }
  return true;
}

bool kdf(std::span<const uint8_t> key, std::string_view label, std::span<const uint8_t> context,
         std::span<uint8_t> out) {
  return kdf_counter_cmac(key, 1, 2, label, context, out);
}

std::optional<SecretBytes> derive_ick(std::span<const uint8_t> cak, std::span<const uint8_t> ckn) {
  return derive_same_length(cak, "IEEE8021 ICK", ckn);
}

std::optional<SecretBytes> derive_kek(std::span<const uint8_t> cak, std::span<const uint8_t> ckn) {
  return derive_same_length(cak, "IEEE8021 KEK", ckn);
}

std::optional<SecretBytes> derive_sak(std::span<const uint8_t> cak, std::span<const uint8_t> ks_nonce,
                                      std::span<const std::span<const uint8_t, kMiLen>> mi_list, uint32_t key_number,
                                      size_t sak_len) {
  if ((sak_len != 16 && sak_len != 32) || ks_nonce.size() != sak_len || mi_list.empty()) return std::nullopt;
  std::vector<uint8_t> context(ks_nonce.begin(), ks_nonce.end());
  for (const auto& mi : mi_list) context.insert(context.end(), mi.begin(), mi.end());
  for (int shift = 24; shift >= 0; shift -= 8) context.push_back(static_cast<uint8_t>(key_number >> shift));
  SecretBytes sak(sak_len);
  const bool ok = kdf(cak, "IEEE8021 SAK", context, sak.mut());
  // The context holds the KS-nonce, which with the CAK gives the SAK: wipe it too.
  OPENSSL_cleanse(context.data(), context.size());
  if (!ok) return std::nullopt;
  return sak;
}

bool mkpdu_icv(std::span<const uint8_t> ick, std::span<const uint8_t> covered, std::span<uint8_t, kIcvLen> out) {
  const std::span<const uint8_t> parts[] = {covered};
  return aes_cmac(ick, parts, out);
}

std::optional<std::vector<uint8_t>> aes_key_wrap(std::span<const uint8_t> kek, std::span<const uint8_t> key) {
  const char* name = wrap_for(kek.size());
  if (name == nullptr || key.size() < 16 || key.size() % 8 != 0) return std::nullopt;
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx) EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (!cipher || !ctx || EVP_EncryptInit_ex2(ctx.get(), cipher.get(), kek.data(), nullptr, nullptr) != 1)
    return std::nullopt;
  std::vector<uint8_t> out(key.size() + 8);
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, key.data(), static_cast<int>(key.size())) != 1 ||
      static_cast<size_t>(len) != out.size())
    return std::nullopt;
  return out;
}

std::optional<SecretBytes> aes_key_unwrap(std::span<const uint8_t> kek, std::span<const uint8_t> wrapped) {
  const char* name = wrap_for(kek.size());
  if (name == nullptr || wrapped.size() < 24 || wrapped.size() % 8 != 0) return std::nullopt;
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx) EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (!cipher || !ctx || EVP_DecryptInit_ex2(ctx.get(), cipher.get(), kek.data(), nullptr, nullptr) != 1)
    return std::nullopt;
  SecretBytes out(wrapped.size() - 8);
  int len = 0;
  // OpenSSL checks the RFC 3394 integrity value and fails the update on a mismatch.
  if (EVP_DecryptUpdate(ctx.get(), out.mut().data(), &len, wrapped.data(), static_cast<int>(wrapped.size())) != 1 ||
      static_cast<size_t>(len) != out.size())
    return std::nullopt;
  return out;
}

}  // namespace linkcrypt::mka
