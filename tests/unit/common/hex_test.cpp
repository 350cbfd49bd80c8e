// Hex parsing accepts the separators operators paste and rejects everything else.
#include "hex.h"

#include <gtest/gtest.h>

namespace linkcrypt {
namespace {

TEST(Hex, RoundTripsAndAcceptsSeparators) {
  auto b = parse_hex("0x00:1b-2C 3d");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, (std::vector<uint8_t>{0x00, 0x1B, 0x2C, 0x3D}));
  EXPECT_EQ(to_hex(*b), "001B2C3D");
  EXPECT_EQ(to_hex(*b, false), "001b2c3d");
}

TEST(Hex, RejectsOddLengthAndBadCharacters) {
  EXPECT_FALSE(parse_hex("ABC").has_value());
  EXPECT_FALSE(parse_hex("zz").has_value());
  EXPECT_FALSE(parse_hex("12\n34").has_value());
  auto empty = parse_hex("");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace linkcrypt
