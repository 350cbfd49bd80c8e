// Unit tests for the UDP transport over real loopback sockets (500/4500 replaced by free ports).
#include "udp_transport.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include "nat_framing.h"

namespace linkcrypt::transport {
namespace {

// Waits (without a timed assertion) until the socket has input.
void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
}

TEST(UdpTransport, CarriesMessagesOnBothPortsAndFiltersForeignSources) {
  const auto lo = *SocketAddress::parse("127.0.0.1", 0);
  const auto lo2 = *SocketAddress::parse("127.0.0.2", 0);
  std::string err;
  // Ports from the dynamic range, derived from the pid so parallel runs do not collide.
  const uint16_t port = static_cast<uint16_t>(40000 + (getpid() % 10000) * 2);
  auto a = UdpTransport::open(lo, lo2, port, port + 1, err);
  ASSERT_TRUE(a) << err;
  auto b = UdpTransport::open(lo2, lo, port, port + 1, err);
  ASSERT_TRUE(b) << err;

  std::vector<uint8_t> msg(40, 7);
  a->send(ike::Datagram{msg, false});
  a->send(ike::Datagram{msg, true});  // 4500 with the non-ESP marker
  std::vector<InboundMessage> got;
  while (got.size() < 2) {
    wait_readable(got.empty() ? b->poll_fd() : b->nat_poll_fd());
    b->receive(got, 32);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].ike, msg);
  EXPECT_EQ(got[1].ike, msg);  // marker stripped
  EXPECT_EQ(got[0].from.address, (std::vector<uint8_t>{127, 0, 0, 1}));

  // A third party on loopback is not the configured peer: dropped and counted.
  auto stranger = UdpSocket::bind_to(*SocketAddress::parse("127.0.0.3", 0), err);
  ASSERT_TRUE(stranger) << err;
  ASSERT_TRUE(stranger->send_to(msg, lo2.with_port(port)));
  wait_readable(b->poll_fd());
  got.clear();
  EXPECT_EQ(b->receive(got, 32), 0u);
  const auto counters = b->counters();
  uint64_t foreign = 0;
  for (const auto& [name, v] : counters) {
    if (name == "rx_foreign_source") foreign = v;
  }
  EXPECT_EQ(foreign, 1u);
}

}  // namespace
}  // namespace linkcrypt::transport
