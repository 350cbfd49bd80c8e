// SecTAG build/parse (clause 9): round trips, SL, and one test per BadTagReason.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sectag.h"

namespace linkcrypt::secy {
namespace {

// DA‖SA‖SecTAG‖secure data‖ICV with the given TCI/SL/PN, secure data of `secure_len` octets.
std::vector<uint8_t> tagged(uint8_t tci_an, uint8_t sl, uint32_t pn, bool with_sci,
                            size_t secure_len) {
  const uint8_t head[8] = {0x88, 0xE5, tci_an, sl, static_cast<uint8_t>(pn >> 24),
                           static_cast<uint8_t>(pn >> 16), static_cast<uint8_t>(pn >> 8),
                           static_cast<uint8_t>(pn)};
  const uint8_t sci[8] = {1, 2, 3, 4, 5, 6, 0, 1};
  const size_t tag_len = with_sci ? 16 : 8;
  std::vector<uint8_t> f(12 + tag_len + secure_len + kIcvLen, 0x5A);
  std::fill(f.begin(), f.begin() + 12, 0xAA);
  std::copy(head, head + 8, f.begin() + 12);
  if (with_sci) std::copy(sci, sci + 8, f.begin() + 20);
  return f;
}

BadTagReason reason_of(const std::vector<uint8_t>& f, bool xpn = false) {
  SecTag tag;
  BadTagReason why = BadTagReason::kCount;
  EXPECT_FALSE(parse_sectag(f, xpn, tag, why));
  return why;
}

TEST(SecTag, BuildThenParseWithSci) {
  std::vector<uint8_t> f(12 + 16 + 100 + kIcvLen, 0);
  build_sectag(f.data() + 12, kTciSc | kTciE | kTciC, 2, 100, 0xDEADBEEF, 0x0102030405060708ull);
  SecTag tag;
  BadTagReason why{};
  ASSERT_TRUE(parse_sectag(f, false, tag, why));
  EXPECT_EQ(tag.an, 2);
  EXPECT_EQ(tag.tci, kTciSc | kTciE | kTciC);
  EXPECT_EQ(tag.sl, 0);
  EXPECT_EQ(tag.pn32, 0xDEADBEEFu);
  EXPECT_TRUE(tag.has_sci);
  EXPECT_EQ(tag.sci, 0x0102030405060708ull);
  EXPECT_EQ(tag.tag_len, 16);
  EXPECT_EQ(tag.secure_data_len, 100u);
}

TEST(SecTag, ShortLengthSetBelow48Only) {
  for (uint32_t len : {2u, 47u, 48u, 49u}) {
    std::vector<uint8_t> f(12 + 8 + len + kIcvLen, 0);
    build_sectag(f.data() + 12, kTciEs, 0, len, 1, 0);
    EXPECT_EQ(f[15], len < 48 ? len : 0) << len;
    SecTag tag;
    BadTagReason why{};
    ASSERT_TRUE(parse_sectag(f, false, tag, why)) << len;
    EXPECT_EQ(tag.secure_data_len, len);
    EXPECT_FALSE(tag.has_sci);
    EXPECT_EQ(tag.tag_len, 8);
  }
}

TEST(SecTag, PaddedShortFrameUsesSl) {
  // 12 + 8 + 10 + 16 = 46 octets, padded to the 60-octet Ethernet minimum.
  auto f = tagged(kTciEs, 10, 1, false, 10);
  f.resize(kMinFrameLen, 0);
  SecTag tag;
  BadTagReason why{};
  ASSERT_TRUE(parse_sectag(f, false, tag, why));
  EXPECT_EQ(tag.secure_data_len, 10u);
  // Padding beyond the minimum frame is not allowed.
  f.resize(kMinFrameLen + 1, 0);
  EXPECT_EQ(reason_of(f), BadTagReason::SlMismatch);
}

TEST(SecTag, EveryBadTagReason) {
  EXPECT_EQ(reason_of(std::vector<uint8_t>(13, 0)), BadTagReason::TooShort);
  EXPECT_EQ(reason_of(tagged(kTciSc | kTciV, 0, 1, true, 48)), BadTagReason::Version);
  EXPECT_EQ(reason_of(tagged(kTciSc | kTciEs, 0, 1, true, 48)), BadTagReason::EsAndSc);
  EXPECT_EQ(reason_of(tagged(kTciSc | kTciScb, 0, 1, true, 48)), BadTagReason::ScbAndSc);
  EXPECT_EQ(reason_of(tagged(kTciSc | kTciE, 0, 1, true, 48)), BadTagReason::EncryptNoChange);
  EXPECT_EQ(reason_of(tagged(kTciSc, 0x40 | 10, 1, true, 10)), BadTagReason::SlReserved);
  EXPECT_EQ(reason_of(tagged(kTciSc, 0x80, 1, true, 10)), BadTagReason::SlReserved);
  EXPECT_EQ(reason_of(tagged(kTciSc, 11, 1, true, 10)), BadTagReason::SlMismatch);
  EXPECT_EQ(reason_of(tagged(kTciSc, 50, 1, true, 50)), BadTagReason::SlMismatch);
  EXPECT_EQ(reason_of(tagged(kTciSc, 0, 1, true, 47)), BadTagReason::ShortNoSl);
  EXPECT_EQ(reason_of(tagged(kTciSc, 0, 0, true, 48)), BadTagReason::PnZero);
  // XPN: the low 32 bits may be zero.
  SecTag tag;
  BadTagReason why{};
  EXPECT_TRUE(parse_sectag(tagged(kTciSc, 0, 0, true, 48), true, tag, why));
  // The SCI and the ICV are required.
  auto f = tagged(kTciSc, 0, 1, true, 0);
  f.resize(12 + 2 + 6 + 4);  // cut inside the SCI
  EXPECT_EQ(reason_of(f), BadTagReason::TooShort);
  f = tagged(kTciEs, 1, 1, false, 1);
  f.resize(f.size() - 2);  // 15 octets after the SecTAG: less than SL data + ICV
  EXPECT_FALSE(parse_sectag(f, false, tag, why));
  f = tagged(kTciEs, 0, 1, false, 0);
  f.resize(12 + 8 + kIcvLen - 1);  // not even room for the ICV
  EXPECT_EQ(reason_of(f), BadTagReason::TooShort);
}

TEST(SecTag, EveryPrefixAndRandomBytesParseWithoutCrashing) {
  const auto good = tagged(kTciSc | kTciE | kTciC, 0, 7, true, 64);
  SecTag tag;
  BadTagReason why{};
  ASSERT_TRUE(parse_sectag(good, false, tag, why));
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> prefix(good.begin(), good.begin() + static_cast<long>(n));
    // A cut frame still parses once 48 octets of "secure data" and an ICV remain (SL 0): only
    // the ICV check can catch that, and it does (see the Annex C bit-flip test).
    EXPECT_EQ(parse_sectag(prefix, false, tag, why), n >= 12 + 16 + 48 + kIcvLen) << n;
  }
  std::mt19937 rng(42);
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> f(rng() % 120);
    for (auto& b : f) b = static_cast<uint8_t>(rng());
    if (parse_sectag(f, rng() % 2, tag, why)) {
      ++accepted;
      EXPECT_LE(size_t{12} + tag.tag_len + tag.secure_data_len + kIcvLen, f.size());
    }
  }
  EXPECT_LT(accepted, 20000u);
}

}  // namespace
}  // namespace linkcrypt::secy
