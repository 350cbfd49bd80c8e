// Known-answer tests of the IKE crypto: RFC 7748 X25519, RFC 4231 HMAC-SHA2 PRFs, GCM (McGrew-Viega
// test case 4 through the RFC 5282 salt|IV nonce layout), and prf+ against its RFC 7296 2.13 definition.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <string_view>

#include "hex.h"
#include "ike_crypto.h"
#include "ike_keys.h"

namespace linkcrypt::ike {
namespace {

std::vector<uint8_t> hex(std::string_view s) { return parse_hex(s).value(); }
std::span<const uint8_t> str(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(IkeKat, X25519Rfc7748Section6_1) {
  const auto a_priv = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const auto b_priv = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  auto a = DhKey::from_private_x25519(std::span<const uint8_t, 32>(a_priv.data(), 32));
  auto b = DhKey::from_private_x25519(std::span<const uint8_t, 32>(b_priv.data(), 32));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(to_hex(a->public_value(), false), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(b->public_value(), false), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto k1 = a->derive(b->public_value());
  auto k2 = b->derive(a->public_value());
  ASSERT_TRUE(k1 && k2);
  EXPECT_EQ(to_hex(k1->view(), false), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(to_hex(k2->view(), false), to_hex(k1->view(), false));
}

TEST(IkeKat, X25519Rfc7748Section5_2) {
  const auto scalar = hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  const auto u = hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
  auto k = DhKey::from_private_x25519(std::span<const uint8_t, 32>(scalar.data(), 32));
  ASSERT_TRUE(k);
  auto out = k->derive(u);
  ASSERT_TRUE(out);
  EXPECT_EQ(to_hex(out->view(), false), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

TEST(IkeKat, X25519RejectsSmallOrderPointAndWrongLength) {
  auto k = DhKey::generate(DhGroup::Curve25519);
  ASSERT_TRUE(k);
  // u = 0 and u = 1 are small-order points: the all-zero output is rejected (RFC 8031 2.3).
  std::vector<uint8_t> zero(32, 0), one(32, 0);
  one[0] = 1;
  EXPECT_FALSE(k->derive(zero));
  EXPECT_FALSE(k->derive(one));
  EXPECT_FALSE(k->derive(std::vector<uint8_t>(31, 9)));
}

TEST(IkeKat, EcpGroupsAgreeAndRejectPointsOffTheCurve) {
  for (DhGroup g : {DhGroup::Ecp256, DhGroup::Ecp384}) {
    auto a = DhKey::generate(g);
    auto b = DhKey::generate(g);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->public_value().size(), ke_public_len(g));
    auto k1 = a->derive(b->public_value());
    auto k2 = b->derive(a->public_value());
    ASSERT_TRUE(k1 && k2);
    EXPECT_EQ(k1->size(), g == DhGroup::Ecp256 ? 32u : 48u);  // x coordinate only (RFC 5903 7)
    EXPECT_EQ(to_hex(k1->view()), to_hex(k2->view()));
    auto bad = b->public_value();
    bad.back() ^= 1;  // y no longer on the curve
    EXPECT_FALSE(a->derive(bad));
    EXPECT_FALSE(a->derive(std::vector<uint8_t>(ke_public_len(g), 0)));
  }
}

TEST(IkeKat, HmacSha2PrfsRfc4231) {
  const std::vector<uint8_t> key(20, 0x0b);
  struct Case {
    Prf p;
    const char* want;
  } cases[] = {
      {Prf::HmacSha2_256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {Prf::HmacSha2_384,
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
      {Prf::HmacSha2_512,
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
  };
  for (const auto& c : cases) {
    std::vector<uint8_t> out(prf_len(c.p));
    ASSERT_TRUE(prf(c.p, key, {str("Hi "), str("There")}, out));  // split input: same MAC
    EXPECT_EQ(to_hex(out, false), c.want);
  }
  std::vector<uint8_t> out(32);
  ASSERT_TRUE(prf(Prf::HmacSha2_256, str("Jefe"), {str("what do ya want for nothing?")}, out));
  EXPECT_EQ(to_hex(out, false), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(IkeKat, PrfPlusFollowsRfc7296Section2_13) {
  const auto key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const auto seed = hex("cafebabe");
  std::vector<uint8_t> out(100);
  ASSERT_TRUE(prf_plus(Prf::HmacSha2_256, key, seed, out));
  // T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02), ... computed with OpenSSL's HMAC().
  std::vector<uint8_t> t, expect;
  for (uint8_t i = 1; expect.size() < out.size(); ++i) {
    std::vector<uint8_t> in = t;
    in.insert(in.end(), seed.begin(), seed.end());
    in.push_back(i);
    t.assign(32, 0);
    unsigned len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), in.data(), in.size(), t.data(), &len);
    expect.insert(expect.end(), t.begin(), t.end());
  }
  expect.resize(out.size());
  EXPECT_EQ(to_hex(out), to_hex(expect));
  std::vector<uint8_t> too_long(255 * 32 + 1);
  EXPECT_FALSE(prf_plus(Prf::HmacSha2_256, key, seed, too_long));
}

TEST(IkeKat, AesGcm16McGrewViegaCase4WithRfc5282NonceLayout) {
  // SK_e = key | salt; nonce = salt (4) | explicit IV (8) = cafebabefacedbaddecaf888.
  auto key_salt = hex("feffe9928665731c6d6a8f9467308308" "cafebabe");
  const auto iv = hex("facedbaddecaf888");
  const auto aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const auto pt = hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
      "b16aedf5aa0de657ba637b39");
  std::vector<uint8_t> out;
  ASSERT_TRUE(gcm_seal(key_salt, std::span<const uint8_t, 8>(iv.data(), 8), aad, pt, out));
  EXPECT_EQ(to_hex(out, false),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
            "1ba30b396a0aac973d58e091"
            "5bc94fbc3221a5db94fae95ae7121a47");
  SecretBytes back;
  ASSERT_TRUE(gcm_open(key_salt, std::span<const uint8_t, 8>(iv.data(), 8), aad, out, back));
  EXPECT_EQ(to_hex(back.view()), to_hex(pt));
  out[3] ^= 0x80;
  EXPECT_FALSE(gcm_open(key_salt, std::span<const uint8_t, 8>(iv.data(), 8), aad, out, back));
}

TEST(IkeKat, ChildKeymatSlicesIToRThenRToIKeyThenSalt) {
  // design.md §4: KEYMAT = prf+(SK_d, g^ir | Ni | Nr): [SAK i->r][salt i->r][SAK r->i][salt r->i].
  const auto sk_d = hex("0f0e0d0c0b0a09080706050403020100");
  const auto g = hex("aa"), ni = hex("bb"), nr = hex("cc");
  ChildKeymat km;
  ASSERT_TRUE(derive_child_keys(Prf::HmacSha2_256, sk_d, g, ni, nr, layout_for(MacsecSuite::GcmAesXpn256), km));
  std::vector<uint8_t> stream(2 * (32 + 12));
  ASSERT_TRUE(prf_plus(Prf::HmacSha2_256, sk_d, hex("aabbcc"), stream));
  const std::span<const uint8_t> s(stream);
  EXPECT_EQ(to_hex(km.i2r_key.view()), to_hex(s.subspan(0, 32)));
  EXPECT_EQ(to_hex(km.i2r_salt.view()), to_hex(s.subspan(32, 12)));
  EXPECT_EQ(to_hex(km.r2i_key.view()), to_hex(s.subspan(44, 32)));
  EXPECT_EQ(to_hex(km.r2i_salt.view()), to_hex(s.subspan(76, 12)));
}

}  // namespace
}  // namespace linkcrypt::ike
