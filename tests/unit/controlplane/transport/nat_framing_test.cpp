// Unit tests for the UDP 4500 non-ESP marker framing (RFC 3948 2.2/2.3, RFC 7296 2.23).
#include "nat_framing.h"

#include <gtest/gtest.h>

#include <vector>

namespace linkcrypt::transport {
namespace {

TEST(NatFraming, StripsTheNonEspMarker) {
  std::vector<uint8_t> dgram{0, 0, 0, 0, 0xAA, 0xBB, 0xCC};
  NatFrame f = parse_nat_frame(dgram);
  ASSERT_EQ(f.kind, NatFrameKind::Ike);
  EXPECT_EQ(std::vector<uint8_t>(f.ike.begin(), f.ike.end()), (std::vector<uint8_t>{0xAA, 0xBB, 0xCC}));
}

TEST(NatFraming, BuildThenParseRoundTrips) {
  std::vector<uint8_t> ike{1, 2, 3, 4, 5, 6, 7, 8};
  auto framed = build_nat_frame(ike);
  ASSERT_EQ(framed.size(), ike.size() + 4);
  EXPECT_EQ(framed[0] | framed[1] | framed[2] | framed[3], 0);
  NatFrame f = parse_nat_frame(framed);
  ASSERT_EQ(f.kind, NatFrameKind::Ike);
  EXPECT_EQ(std::vector<uint8_t>(f.ike.begin(), f.ike.end()), ike);
}

TEST(NatFraming, NonZeroSpiIsEsp) {
  std::vector<uint8_t> dgram{0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(parse_nat_frame(dgram).kind, NatFrameKind::Esp);
}

TEST(NatFraming, KeepaliveIsOneFfOctet) {
  std::vector<uint8_t> dgram{0xFF};
  EXPECT_EQ(parse_nat_frame(dgram).kind, NatFrameKind::Keepalive);
}

TEST(NatFraming, ShortOrEmptyPayloadIsMalformed) {
  for (std::vector<uint8_t> d : {std::vector<uint8_t>{}, {0}, {0, 0, 0}, {0, 0, 0, 0}, {0xFE}}) {
    EXPECT_EQ(parse_nat_frame(d).kind, NatFrameKind::Malformed) << d.size();
  }
}

}  // namespace
}  // namespace linkcrypt::transport
