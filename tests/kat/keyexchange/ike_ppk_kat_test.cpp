// RFC 8784 3 known answers: SK_d, SK_pi, SK_pr = prf+(PPK, SK_x') for each PRF our proposals allow.
//
// The expected values were computed independently with Python's standard library:
//   def prfplus(h, k, s, n):          # RFC 7296 2.13
//       out, t, i = b"", b"", 1
//       while len(out) < n: t = hmac.new(k, t + s + bytes([i]), h).digest(); out += t; i += 1
//       return out[:n]
//   ppk = bytes(range(32)) + b"linkcrypt-ppk"
//   sk_d  = bytes((0x40 + i) & 0xff for i in range(L))   # L = 32, 48, 64 (the PRF's output)
//   sk_pi = bytes((0x80 + i) & 0xff for i in range(L)); sk_pr = bytes((0xc0 + i) & 0xff ...)
//   prfplus(hashlib.sha256 / sha384 / sha512, ppk, sk_x, L).hex()
#include <gtest/gtest.h>

#include <string_view>

#include "hex.h"
#include "ike_keys.h"

namespace linkcrypt::ike {
namespace {

SecretBytes pattern(uint8_t first, size_t len) {
  SecretBytes s(len);
  for (size_t i = 0; i < len; ++i) s.mut()[i] = static_cast<uint8_t>(first + i);
  return s;
}

SecretBytes test_ppk() {
  std::vector<uint8_t> k(32);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i);
  for (char c : std::string_view("linkcrypt-ppk")) k.push_back(static_cast<uint8_t>(c));
  return SecretBytes(k);
}

struct PpkVector {
  Prf prf;
  size_t len;
  std::string_view sk_d, sk_pi, sk_pr;
};

class PpkKat : public ::testing::TestWithParam<PpkVector> {};

TEST_P(PpkKat, MixesThePpkIntoSkdSkpiSkprOnly) {
  const PpkVector& v = GetParam();
  IkeKeys k;
  k.sk_d = pattern(0x40, v.len);
  k.sk_pi = pattern(0x80, v.len);
  k.sk_pr = pattern(0xc0, v.len);
  k.sk_ei = pattern(0x10, 36);
  k.sk_er = pattern(0x20, 36);
  const SecretBytes ppk = test_ppk();
  ASSERT_TRUE(apply_ppk(v.prf, ppk.view(), k));
  EXPECT_EQ(to_hex(k.sk_d.view(), false), v.sk_d);
  EXPECT_EQ(to_hex(k.sk_pi.view(), false), v.sk_pi);
  EXPECT_EQ(to_hex(k.sk_pr.view(), false), v.sk_pr);
  // SK_e* stay: IKE_AUTH is already protected with them (RFC 8784 3).
  EXPECT_EQ(to_hex(k.sk_ei.view(), false), to_hex(pattern(0x10, 36).view(), false));
  EXPECT_EQ(to_hex(k.sk_er.view(), false), to_hex(pattern(0x20, 36).view(), false));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc8784, PpkKat,
    ::testing::Values(
        PpkVector{Prf::HmacSha2_256, 32, "28a08398b9cd05ff019a58c3932ba5363ab1fdcb931751c57bbea5fd6910a3b0",
                  "700d3f0dedaea748ad72a47fa84184ce95329d19487d440441c2545a3864d8c1",
                  "bf8c61bea409945682a7a46c62a5a478815d0100357eb9c16ee35305f566ba56"},
        PpkVector{Prf::HmacSha2_384, 48,
                  "65667149ac335086569e4940b2f05d3a254ed7c09096d02651aa4e73ceefbbf127eaa1e7b4862c8b280901f448f8a979",
                  "7faccba360f22bc1b4dd9c4f8905d08427ea7997219605360722f5b35f38f1ad7e439f54130f80d34dec4c6b4dd8153e",
                  "6c4833590db08346428c09a5a4818e3420c728cf38cff49f71f1909af82103d1641dfd490c379cecec08e3e921be15fa"},
        PpkVector{Prf::HmacSha2_512, 64,
                  "a8d6f80038cc6092cb61884f80df3281e09338810a34e593f628c30a6c34c82d"
                  "7091733adaef50b35e15db62bde6b42009e7b726d8c986737bc8a6df1608c8b1",
                  "343112b59fb65b9e90da53a64701a187c89fda8d9d9fe632034c5721e851ce17"
                  "2d3f619608352206cee8ab307c44130221fc84252d77caf2cd997499887415aa",
                  "8b775340d8766cf359a3d53152831cc644b20e40fda78b42d45e48cbac4a837c"
                  "3cf476157190e1b557767af229c199727a5b6413adae68db056213c23f23b659"}));

}  // namespace
}  // namespace linkcrypt::ike
