// ByteReader: reads in bounds, and leaves the cursor untouched when a read would overrun.
#include "byte_reader.h"

#include <gtest/gtest.h>

#include <array>

namespace linkcrypt {
namespace {

TEST(ByteReader, ReadsBigEndianIntegers) {
  const std::array<uint8_t, 15> in{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
  ByteReader r(in);
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0;
  uint64_t d = 0;
  ASSERT_TRUE(r.read_u8(a));
  ASSERT_TRUE(r.read_u16(b));
  ASSERT_TRUE(r.read_u32(c));
  ASSERT_TRUE(r.read_u64(d));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x04050607u);
  EXPECT_EQ(d, 0x08090A0B0C0D0E0Full);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, FailedReadDoesNotAdvance) {
  const std::array<uint8_t, 3> in{0xAA, 0xBB, 0xCC};
  ByteReader r(in);
  uint32_t v = 0x12345678;
  EXPECT_FALSE(r.read_u32(v));
  EXPECT_EQ(v, 0x12345678u);
  EXPECT_EQ(r.remaining(), 3u);
  std::span<const uint8_t> s;
  EXPECT_FALSE(r.read_bytes(4, s));
  EXPECT_EQ(r.remaining(), 3u);
  uint32_t v24 = 0;
  ASSERT_TRUE(r.read_u24(v24));
  EXPECT_EQ(v24, 0xAABBCCu);
  uint8_t b = 0;
  EXPECT_FALSE(r.read_u8(b));
}

TEST(ByteReader, LittleEndianAndSubReaders) {
  const std::array<uint8_t, 8> in{0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x99, 0x98};
  ByteReader r(in);
  uint32_t magic = 0;
  uint16_t len = 0;
  ASSERT_TRUE(r.read_u32_le(magic));
  ASSERT_TRUE(r.read_u16_le(len));
  EXPECT_EQ(magic, 0xA1B2C3D4u);
  ByteReader sub;
  ASSERT_TRUE(r.read_sub(len, sub));
  EXPECT_EQ(sub.remaining(), 2u);
  EXPECT_TRUE(r.empty());
  ByteReader too_long(in);
  EXPECT_FALSE(too_long.read_sub(9, sub));
  EXPECT_EQ(too_long.remaining(), 8u);
}

}  // namespace
}  // namespace linkcrypt
