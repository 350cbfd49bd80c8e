// The kernel runs the key-exchange rings' socket filters (kx_packet_ring.h): here on an AF_UNIX
// datagram pair, whose receiver drops what its filter refuses, so no root and no interface needed.
#include "kx_packet_ring.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <vector>

namespace linkcrypt::dpdk {
namespace {

constexpr uint64_t kSpiI = 0x1122334455667788ULL;
constexpr uint64_t kSpiR = 0x99aabbccddeeff00ULL;

// An in-band kx frame: group DA, a SA, EtherType, then an IKE header (RFC 7296 3.1) and padding.
std::vector<uint8_t> frame(uint64_t spi_i, uint64_t spi_r, uint8_t exchange, uint8_t flags,
                           uint16_t ethertype = 0x88B5, size_t len = 60) {
  std::vector<uint8_t> f = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x03, 0x02, 0, 0, 0, 0x0a, 0x01,
                            static_cast<uint8_t>(ethertype >> 8), static_cast<uint8_t>(ethertype)};
  for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(spi_i >> s));
  for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(spi_r >> s));
  f.insert(f.end(), {33, 0x20, exchange, flags, 0, 0, 0, 0, 0, 0, 0, 28});
  f.resize(len, 0);
  return f;
}

// True when a datagram sent to a socket carrying `filter` is received.
bool passes(const std::vector<sock_filter>& filter, const std::vector<uint8_t>& f) {
  std::array<int, 2> sv{};
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv.data()), 0);
  sock_fprog prog{static_cast<unsigned short>(filter.size()), const_cast<sock_filter*>(filter.data())};
  EXPECT_EQ(setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), 0) << "the kernel refused the program";
  EXPECT_EQ(send(sv[0], f.data(), f.size(), 0), static_cast<ssize_t>(f.size()));
  std::array<uint8_t, 2048> buf{};
  const ssize_t got = recv(sv[1], buf.data(), buf.size(), MSG_DONTWAIT);
  close(sv[0]);
  close(sv[1]);
  return got == static_cast<ssize_t>(f.size());
}

kxclass::KnownIkeSas known(std::initializer_list<kxclass::IkeSaSpis> sas) {
  kxclass::KnownIkeSas k;
  for (const auto& sa : sas) k.sas[k.count++] = sa;
  return k;
}

// Exactly one of the two key-exchange rings takes each frame.
void expect_ring(const kxclass::KnownIkeSas& k, const std::vector<uint8_t>& f, bool priority) {
  EXPECT_EQ(passes(kx_spi_filter(k, true), f), priority);
  EXPECT_EQ(passes(kx_spi_filter(k, false), f), !priority);
}

TEST(KxSpiFilter, WithNoKnownSaEverythingTakesTheFloodsRing) {
  expect_ring({}, frame(kSpiI, 0, 34, 0x08), false);
  expect_ring({}, frame(kSpiI, kSpiR, 37, 0x20), false);
}

TEST(KxSpiFilter, TheEstablishedSasFramesTakeThePriorityRing) {
  const auto k = known({{kSpiI, kSpiR}});
  expect_ring(k, frame(kSpiI, kSpiR, 37, 0x08), true);   // INFORMATIONAL request (liveness)
  expect_ring(k, frame(kSpiI, kSpiR, 37, 0x20), true);   // its answer
  expect_ring(k, frame(kSpiI, kSpiR + 1, 37, 0x08), false);
  expect_ring(k, frame(kSpiI + 1, kSpiR, 37, 0x08), false);
  expect_ring(k, frame(kSpiI ^ (1ULL << 40), kSpiR, 37, 0x08), false);  // high word differs
}

TEST(KxSpiFilter, AReplayedInitWithTheSasSpiITakesTheFloodsRing) {
  // What daemon_flood_init sends: box A's own IKE_SA_INIT, SPIi of the established SA, SPIr 0.
  expect_ring(known({{kSpiI, kSpiR}}), frame(kSpiI, 0, 34, 0x08), false);
}

TEST(KxSpiFilter, AHalfOpenSaTakesOnlyTheAnswer) {
  const auto k = known({{kSpiI, 0}});
  expect_ring(k, frame(kSpiI, kSpiR, 34, 0x20), true);   // the responder's IKE_SA_INIT answer
  expect_ring(k, frame(kSpiI, 0, 34, 0x08), false);      // a request with that SPIi
}

TEST(KxSpiFilter, EveryKnownSaIsMatched) {
  const auto k = known({{1, 2}, {3, 4}, {5, 0}, {kSpiI, kSpiR}});
  expect_ring(k, frame(1, 2, 37, 0), true);
  expect_ring(k, frame(3, 4, 37, 0), true);
  expect_ring(k, frame(5, 9, 34, 0x20), true);
  expect_ring(k, frame(kSpiI, kSpiR, 37, 0), true);
  expect_ring(k, frame(7, 8, 37, 0), false);
}

TEST(KxSpiFilter, AFrameTooShortForAnIkeHeaderTakesTheFloodsRing) {
  // The worker counts it (KxJunk): a filter that ended on a load past the end would drop it unseen.
  expect_ring(known({{kSpiI, kSpiR}}), frame(kSpiI, kSpiR, 37, 0, 0x88B5, 30), false);
}

TEST(NotKxFilter, KeepsTheKxEtherTypeOutAndLetsTheRestIn) {
  const auto f = not_kx_filter(0x88B5);
  EXPECT_FALSE(passes(f, frame(kSpiI, 0, 34, 0x08)));
  EXPECT_TRUE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x88E5)));  // MACsec
  EXPECT_TRUE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x0800)));
  EXPECT_TRUE(passes(f, std::vector<uint8_t>(10, 0x88)));       // runt: the worker counts it
  EXPECT_TRUE(passes(not_kx_filter(0x88B6), frame(kSpiI, 0, 34, 0x08)));  // another kx EtherType
  EXPECT_TRUE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x888E)));  // EAPOL, without MKA keying
}

TEST(NotKxFilter, WithMkaKeepsEapolOutToo) {
  const auto f = not_kx_filter(0x88B5, 0x888E);
  EXPECT_FALSE(passes(f, frame(kSpiI, 0, 34, 0x08)));
  EXPECT_FALSE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x888E)));
  EXPECT_TRUE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x88E5)));  // MACsec
  EXPECT_TRUE(passes(f, frame(kSpiI, 0, 34, 0x08, 0x0806)));  // ARP
  EXPECT_TRUE(passes(accept_all_filter(), frame(kSpiI, 0, 34, 0x08, 0x888E)));
}

}  // namespace
}  // namespace linkcrypt::dpdk
