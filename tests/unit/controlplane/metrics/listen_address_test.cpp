// parse_listen_address: what --metrics-listen accepts and refuses.
#include "listen_address.h"

#include <gtest/gtest.h>

namespace linkcrypt::metrics {
namespace {

TEST(ListenAddress, AcceptsIpv4AndBracketedIpv6) {
  auto a = parse_listen_address("127.0.0.1:9101");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->port, 9101);
  EXPECT_FALSE(a->ipv6);
  EXPECT_TRUE(a->is_loopback());
  EXPECT_EQ(a->bind_text(), "127.0.0.1:9101");

  auto b = parse_listen_address("[::1]:65535");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->address, "::1");
  EXPECT_EQ(b->port, 65535);
  EXPECT_TRUE(b->ipv6);
  EXPECT_TRUE(b->is_loopback());
  EXPECT_EQ(b->bind_text(), "[::1]:65535");

  auto c = parse_listen_address("0.0.0.0:1");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->is_loopback());
  auto d = parse_listen_address("[fd00::7]:9101");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->is_loopback());
}

TEST(ListenAddress, RefusesMalformed) {
  for (const char* bad : {"", "9101", ":9101", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:80x", "127.0.0.1: 80", "localhost:9101",
                          "::1:9101", "[::1]9101", "[::1]:", "[127.0.0.1]:9101", "[::1:9101", "256.0.0.1:80",
                          "127.0.0.1:9101:1"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace linkcrypt::metrics
