// MKA's key hierarchy against independent answers: RFC 4493 (CMAC), RFC 3394 (key wrap), OpenSSL's
// KBKDF (the SP 800-108 construction), and 802.1X-2020 derivations computed outside this code.
#include "mka_crypto.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "hex.h"

namespace linkcrypt::mka {
namespace {

std::vector<uint8_t> hex(std::string_view s) {
  auto out = parse_hex(s);
  EXPECT_TRUE(out) << s;
  return out.value_or(std::vector<uint8_t>{});
}

std::string cmac_hex(std::span<const uint8_t> key, std::span<const uint8_t> msg) {
  std::array<uint8_t, 16> tag{};
  const std::span<const uint8_t> parts[] = {msg};
  EXPECT_TRUE(aes_cmac(key, parts, tag));
  return to_hex(tag, false);
}

std::string hex_of(const std::optional<SecretBytes>& s) { return s ? to_hex(s->view(), false) : "(none)"; }

// RFC 4493 section 4, examples 1-4 (AES-128).
TEST(MkaCrypto, AesCmacMatchesRfc4493) {
  const auto key = hex("2b7e151628aed2a6abf7158809cf4f3c");
  const auto m = hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  EXPECT_EQ(cmac_hex(key, std::span(m).first(0)), "bb1d6929e95937287fa37d129b756746");
  EXPECT_EQ(cmac_hex(key, std::span(m).first(16)), "070a16b46b4d4144f79bdd9dd04a287c");
  EXPECT_EQ(cmac_hex(key, std::span(m).first(40)), "dfa66747de9ae63030ca32611497c827");
  EXPECT_EQ(cmac_hex(key, m), "51f0bebf7e3b9d92fc49741779363cfe");
}

TEST(MkaCrypto, AesCmacOverPartsEqualsCmacOverTheirConcatenation) {
  const auto key = hex("2b7e151628aed2a6abf7158809cf4f3c");
  const auto m = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411");
  const std::span<const uint8_t> parts[] = {std::span(m).first(5), std::span(m).subspan(5, 20), std::span(m).subspan(25)};
  std::array<uint8_t, 16> tag{};
  ASSERT_TRUE(aes_cmac(key, parts, tag));
  EXPECT_EQ(to_hex(tag, false), "dfa66747de9ae63030ca32611497c827");
}

TEST(MkaCrypto, AesCmacRefusesKeysThatAreNotAes128Or256) {
  std::array<uint8_t, 16> tag{};
  const std::vector<uint8_t> key(24, 1);
  EXPECT_FALSE(aes_cmac(key, {}, tag));
}

// RFC 3394 section 4.1, 4.3 and 4.6.
TEST(MkaCrypto, KeyWrapMatchesRfc3394AndUnwraps) {
  struct Case {
    std::string kek, key, wrapped;
  };
  const Case cases[] = {
      {"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
       "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff",
       "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
       "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
       "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"},
  };
  for (const auto& c : cases) {
    const auto kek = hex(c.kek);
    const auto wrapped = aes_key_wrap(kek, hex(c.key));
    ASSERT_TRUE(wrapped);
    EXPECT_EQ(to_hex(*wrapped, false), c.wrapped);
    EXPECT_EQ(hex_of(aes_key_unwrap(kek, *wrapped)), c.key);
  }
}

TEST(MkaCrypto, UnwrapRefusesAWrongKekAndATamperedBlob) {
  const auto kek = hex("000102030405060708090a0b0c0d0e0f");
  auto wrapped = hex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
  auto wrong = kek;
  wrong[0] ^= 1;
  EXPECT_FALSE(aes_key_unwrap(wrong, wrapped));
  wrapped[10] ^= 0x80;
  EXPECT_FALSE(aes_key_unwrap(kek, wrapped));
  EXPECT_FALSE(aes_key_unwrap(kek, std::span(wrapped).first(16)));  // shorter than IV + one key
  EXPECT_FALSE(aes_key_wrap(kek, std::span(wrapped).first(12)));    // not a multiple of 8
}

// OpenSSL 3.0's KBKDF (counter mode, CMAC) fixes [i] and [L] at 32 bits; with those widths our
// construction must give its output exactly, on random keys, labels, contexts and lengths.
std::vector<uint8_t> openssl_kbkdf(std::span<const uint8_t> key, const std::string& label,
                                   std::span<const uint8_t> context, size_t len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "KBKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  const char* cipher = key.size() == 16 ? "AES-128-CBC" : "AES-256-CBC";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("counter"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("CMAC"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_CIPHER, const_cast<char*>(cipher), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key.data()), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(label.data()), label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(context.data()), context.size()),
      OSSL_PARAM_construct_end()};
  std::vector<uint8_t> out(len);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  return out;
}

TEST(MkaCrypto, CounterModeKdfEqualsOpenSslKbkdfOnRandomInputs) {
  for (int round = 0; round < 200; ++round) {
    uint8_t pick[4];
    ASSERT_EQ(RAND_bytes(pick, sizeof pick), 1);
    std::vector<uint8_t> key(pick[0] % 2 ? 32 : 16);
    std::vector<uint8_t> context(pick[1] % 64);
    std::string label(1 + pick[2] % 20, 'x');
    ASSERT_EQ(RAND_bytes(key.data(), static_cast<int>(key.size())), 1);
    if (!context.empty()) {
      ASSERT_EQ(RAND_bytes(context.data(), static_cast<int>(context.size())), 1);
    }
    for (auto& c : label) c = static_cast<char>('A' + pick[3]++ % 26);
    const size_t len = 1 + pick[3] % 80;
    std::vector<uint8_t> ours(len);
    ASSERT_TRUE(kdf_counter_cmac(key, 4, 4, label, context, ours));
    EXPECT_EQ(to_hex(ours, false), to_hex(openssl_kbkdf(key, label, context, len), false)) << "round " << round;
  }
}

// The 802.1X-2020 widths ([i] one octet, [L] two) against answers computed independently (Python
// cryptography's CMAC with the layout of 802.1X-2020 6.2.1 / wpa_supplicant's aes_kdf()).
TEST(MkaCrypto, IckAndKekFromCakAndCkn) {
  const auto cak = hex("135bd758b0ee5c11c55ff6ab19fdb199");
  const auto ckn = hex("96437a93ccf10d9dfe347846cce52c7d");
  EXPECT_EQ(hex_of(derive_ick(cak, ckn)), "8f1c5cb1c8ed2e5f047906e0473aad4d");
  EXPECT_EQ(hex_of(derive_kek(cak, ckn)), "8f5a384c15d6ae9302b462e363d03ca6");
  std::vector<uint8_t> cak256(32);
  for (size_t i = 0; i < cak256.size(); ++i) cak256[i] = static_cast<uint8_t>(0x20 + i);
  const auto short_ckn = hex("0102030405");  // padded with zero octets to 16 (9.3.3)
  EXPECT_EQ(hex_of(derive_ick(cak256, short_ckn)), "4168541d476aa28a5bec47c9b3c04f89b33059be801c9a1ad52268075f76e711");
  EXPECT_EQ(hex_of(derive_kek(cak256, short_ckn)), "1d604fcd86290baf6f8d50fd44f15d2b7933797bc52b649c724c32aea2e0026d");
  EXPECT_FALSE(derive_ick(cak, {}));
  EXPECT_FALSE(derive_ick(cak, std::vector<uint8_t>(33, 1)));
}

TEST(MkaCrypto, SakFromCakNonceMemberIdentifiersAndKeyNumber) {
  const auto cak = hex("135bd758b0ee5c11c55ff6ab19fdb199");
  std::vector<uint8_t> nonce(32);
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(0x40 + i);
  const auto mi1 = hex("0102030405060708090a0b0c");
  const auto mi2 = hex("a1a2a3a4a5a6a7a8a9aaabac");
  const std::span<const uint8_t, kMiLen> both[] = {std::span<const uint8_t, kMiLen>(mi1.data(), kMiLen),
                                                   std::span<const uint8_t, kMiLen>(mi2.data(), kMiLen)};
  EXPECT_EQ(hex_of(derive_sak(cak, nonce, both, 7, 32)), "2ba942243600a12f7d115985ca9bca161a1ede507e2b5755990ae6daef88da24");
  EXPECT_EQ(hex_of(derive_sak(cak, std::span(nonce).first(16), std::span(both).first(1), 1, 16)),
            "20450cad5e104874fc5ea57f25719dc3");
  EXPECT_FALSE(derive_sak(cak, std::span(nonce).first(16), both, 1, 32));  // the nonce is as long as the SAK
  EXPECT_FALSE(derive_sak(cak, nonce, {}, 1, 32));                         // at least the key server's MI
}

TEST(MkaCrypto, KdfRefusesLengthsItsFieldsCannotCarry) {
  const auto key = hex("135bd758b0ee5c11c55ff6ab19fdb199");
  std::vector<uint8_t> big(255 * 16 + 1);  // a 256th block does not fit the one-octet [i]
  EXPECT_FALSE(kdf(key, "L", {}, big));
  std::vector<uint8_t> ok(255 * 16);
  EXPECT_TRUE(kdf(key, "L", {}, ok));
  std::vector<uint8_t> wide(8192);  // 65536 bits do not fit a 16-bit [L], even with a wide [i]
  EXPECT_FALSE(kdf_counter_cmac(key, 4, 2, "L", {}, wide));
}

}  // namespace
}  // namespace linkcrypt::mka
