// Unit tests for the in-band key-exchange framing (design.md §4, RFC 7296 3.1 Length).
#include "kx_frame.h"

#include <gtest/gtest.h>

#include <vector>

namespace linkcrypt::transport {
namespace {

std::vector<uint8_t> ike_message(uint32_t len) {
  std::vector<uint8_t> m(len, 0xAB);
  m[24] = static_cast<uint8_t>(len >> 24);
  m[25] = static_cast<uint8_t>(len >> 16);
  m[26] = static_cast<uint8_t>(len >> 8);
  m[27] = static_cast<uint8_t>(len);
  return m;
}

constexpr MacAddress kSrc{0x02, 0, 0, 0, 0, 0x0a};

TEST(KxFrame, BuildsLinkLocalGroupDestinationAndEtherType) {
  const auto f = build_kx_frame(kSrc, 0x88B5, ike_message(40));
  ASSERT_EQ(f.size(), 54u);
  EXPECT_EQ(std::vector<uint8_t>(f.begin(), f.begin() + 6),
            std::vector<uint8_t>(kKxDestination.begin(), kKxDestination.end()));
  EXPECT_EQ(std::vector<uint8_t>(f.begin() + 6, f.begin() + 12),
            std::vector<uint8_t>(kSrc.begin(), kSrc.end()));
  EXPECT_EQ(f[12], 0x88);
  EXPECT_EQ(f[13], 0xB5);
}

TEST(KxFrame, RoundTripTrimsEthernetPadding) {
  const auto msg = ike_message(30);
  auto f = build_kx_frame(kSrc, 0x88B5, msg);
  f.resize(60, 0);  // the NIC pads to the 60-octet minimum
  KxFrameDrop why{};
  const auto ike = parse_kx_frame(f, 0x88B5, why);
  ASSERT_TRUE(ike);
  EXPECT_EQ(std::vector<uint8_t>(ike->begin(), ike->end()), msg);
}

TEST(KxFrame, DropsShortFramesWithTypedReason) {
  KxFrameDrop why{};
  std::vector<uint8_t> tiny(10, 0);
  EXPECT_FALSE(parse_kx_frame(tiny, 0x88B5, why));
  EXPECT_EQ(why, KxFrameDrop::TooShort);
  auto f = build_kx_frame(kSrc, 0x88B5, ike_message(28));
  f.resize(14 + 27);
  EXPECT_FALSE(parse_kx_frame(f, 0x88B5, why));
  EXPECT_EQ(why, KxFrameDrop::TooShort);
}

TEST(KxFrame, DropsBadLengthAndWrongEtherType) {
  KxFrameDrop why{};
  auto msg = ike_message(28);
  msg[27] = 200;  // claims more than the frame holds
  EXPECT_FALSE(parse_kx_frame(build_kx_frame(kSrc, 0x88B5, msg), 0x88B5, why));
  EXPECT_EQ(why, KxFrameDrop::BadLength);
  msg[27] = 12;  // shorter than the IKE header itself
  EXPECT_FALSE(parse_kx_frame(build_kx_frame(kSrc, 0x88B5, msg), 0x88B5, why));
  EXPECT_EQ(why, KxFrameDrop::BadLength);
  EXPECT_FALSE(parse_kx_frame(build_kx_frame(kSrc, 0x0800, ike_message(28)), 0x88B5, why));
  EXPECT_EQ(why, KxFrameDrop::WrongEtherType);
}

}  // namespace
}  // namespace linkcrypt::transport
