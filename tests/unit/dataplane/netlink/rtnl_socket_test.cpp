// RtnlSocket against the running kernel: RTM_GETLINK of the loopback interface (no root needed).
#include "rtnl_socket.h"

#include <gtest/gtest.h>
#include <net/if.h>

namespace linkcrypt::netlink {
namespace {

TEST(RtnlSocketTest, ReadsTheLoopbackInterface) {
  std::string err;
  auto s = RtnlSocket::open(false, err);
  ASSERT_TRUE(s) << err;
  const uint32_t lo = if_nametoindex("lo");
  ASSERT_NE(lo, 0u);
  const auto link = s->get_link(lo, err);
  ASSERT_TRUE(link) << err;
  EXPECT_EQ(link->if_index, lo);
  EXPECT_EQ(link->name, "lo");
  EXPECT_GE(link->mtu, 1500u);
}

TEST(RtnlSocketTest, SaysWhenTheInterfaceDoesNotExist) {
  std::string err;
  auto s = RtnlSocket::open(false, err);
  ASSERT_TRUE(s) << err;
  EXPECT_FALSE(s->get_link(0x7FFFFFF0u, err));
  EXPECT_EQ(err, "No such device");
}

TEST(RtnlSocketTest, ALinkFollowerDrainsWithoutBlocking) {
  std::string err;
  auto s = RtnlSocket::open(true, err);
  ASSERT_TRUE(s) << err;
  (void)s->drain();  // whatever changed meanwhile on this host; must return at once
  EXPECT_GE(s->fd(), 0);
}

}  // namespace
}  // namespace linkcrypt::netlink
