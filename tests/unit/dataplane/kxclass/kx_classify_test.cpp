// classify_kx_frame: the established IKE SA's frames, new-session INITs, unknown SAs and junk.
#include "kx_classify.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace linkcrypt::kxclass {
namespace {

struct Hdr {
  uint64_t spi_i = 0x1111222233334444;
  uint64_t spi_r = 0;
  uint8_t version = 0x20;
  uint8_t exchange = 34;
  uint8_t flags = 0x08;  // I
  uint32_t message_id = 0;
  int32_t length_delta = 0;  // added to the true IKE length
  size_t body_len = 32;
};

void put_be(std::vector<uint8_t>& out, uint64_t v, int octets) {
  for (int i = octets - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Ethernet header (0x88B5), IKE header, body; then Ethernet padding of `pad` octets.
std::vector<uint8_t> frame(const Hdr& h, size_t pad = 0) {
  std::vector<uint8_t> f = {0x01, 0x80, 0xC2, 0, 0, 3, 2, 0, 0, 0, 0x0A, 1, 0x88, 0xB5};
  put_be(f, h.spi_i, 8);
  put_be(f, h.spi_r, 8);
  f.push_back(33);  // next payload: SA
  f.push_back(h.version);
  f.push_back(h.exchange);
  f.push_back(h.flags);
  put_be(f, h.message_id, 4);
  put_be(f, static_cast<uint32_t>(static_cast<int64_t>(28 + h.body_len) + h.length_delta), 4);
  f.insert(f.end(), h.body_len + pad, 0xAB);
  return f;
}

KnownIkeSas one(uint64_t spi_i, uint64_t spi_r) {
  KnownIkeSas k;
  k.sas[0] = {spi_i, spi_r};
  k.count = 1;
  return k;
}

TEST(KxClassify, FreshInitIsNewSession) {
  EXPECT_EQ(classify_kx_frame(frame(Hdr{}), KnownIkeSas{}), KxClass::NewInit);
  EXPECT_EQ(classify_kx_frame(frame(Hdr{}, 20), KnownIkeSas{}), KxClass::NewInit);  // padded
}

// The red-team's attack: the peer's own IKE_SA_INIT replayed. Its SPIi is the established
// SA's, but it is a request with SPIr 0: it must not take the priority ring.
TEST(KxClassify, ReplayedInitOfTheEstablishedSaIsNotPriority) {
  const Hdr h;
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, 0x5555)), KxClass::NewInit);
}

TEST(KxClassify, EstablishedSaMessagesArePriority) {
  Hdr h;
  h.spi_r = 0x5555666677778888;
  h.exchange = 37;  // INFORMATIONAL: liveness check
  h.message_id = 7;
  h.flags = 0x08;
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, h.spi_r)), KxClass::KnownSa);
  h.flags = 0x20;  // its response
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, h.spi_r)), KxClass::KnownSa);
  h.spi_r ^= 1;  // another SA's
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, h.spi_r ^ 1)), KxClass::UnknownSa);
}

TEST(KxClassify, ResponseToOurOutstandingInitIsPriority) {
  Hdr h;
  h.spi_r = 0x9999;
  h.flags = 0x20;  // R: the peer's IKE_SA_INIT response
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, 0)), KxClass::KnownSa);
  h.flags = 0x08;  // a request carrying our SPIi is not the answer we wait for
  EXPECT_EQ(classify_kx_frame(frame(h), one(h.spi_i, 0)), KxClass::UnknownSa);
}

TEST(KxClassify, SecondEntryAndCountBound) {
  Hdr h;
  h.spi_r = 42;
  h.exchange = 35;
  h.message_id = 1;
  KnownIkeSas k;
  k.sas[0] = {7, 8};
  k.sas[1] = {h.spi_i, 42};
  k.count = 2;
  EXPECT_EQ(classify_kx_frame(frame(h), k), KxClass::KnownSa);
  k.count = 1;  // entries past count are not consulted
  EXPECT_EQ(classify_kx_frame(frame(h), k), KxClass::UnknownSa);
  k.count = 200;  // a count beyond the table is clamped, not read past it
  EXPECT_EQ(classify_kx_frame(frame(h), k), KxClass::KnownSa);
}

TEST(KxClassify, InitVariantsThatCannotStartAnSaAreUnknown) {
  Hdr h;
  h.message_id = 1;
  EXPECT_EQ(classify_kx_frame(frame(h), KnownIkeSas{}), KxClass::UnknownSa);
  h = Hdr{};
  h.flags = 0;  // no I flag: not from an initiator
  EXPECT_EQ(classify_kx_frame(frame(h), KnownIkeSas{}), KxClass::UnknownSa);
  h = Hdr{};
  h.spi_i = 0;
  EXPECT_EQ(classify_kx_frame(frame(h), KnownIkeSas{}), KxClass::UnknownSa);
  // A zero entry never matches (an empty table slot).
  h = Hdr{};
  h.spi_i = 0;
  h.flags = 0x20;
  EXPECT_EQ(classify_kx_frame(frame(h), one(0, 0)), KxClass::UnknownSa);
}

TEST(KxClassify, Junk) {
  const KnownIkeSas none;
  std::vector<uint8_t> f = frame(Hdr{});
  EXPECT_EQ(classify_kx_frame(std::span(f).first(14 + 27), none), KxClass::Junk);  // short header
  EXPECT_EQ(classify_kx_frame(std::span(f).first(10), none), KxClass::Junk);
  EXPECT_EQ(classify_kx_frame({}, none), KxClass::Junk);
  Hdr h;
  h.version = 0x10;  // IKEv1
  EXPECT_EQ(classify_kx_frame(frame(h), none), KxClass::Junk);
  h = Hdr{};
  h.version = 0x21;  // minor version 1 is still IKEv2 (RFC 7296 2.5)
  EXPECT_EQ(classify_kx_frame(frame(h), none), KxClass::NewInit);
  for (uint8_t x : {0, 33, 38, 43, 255}) {
    h = Hdr{};
    h.exchange = x;
    EXPECT_EQ(classify_kx_frame(frame(h), none), KxClass::Junk) << int{x};
  }
  h = Hdr{};
  h.length_delta = 1;  // beyond the frame
  EXPECT_EQ(classify_kx_frame(frame(h), none), KxClass::Junk);
  h.length_delta = 1;  // ... but within the padding is fine (Length trims it)
  EXPECT_EQ(classify_kx_frame(frame(h, 1), none), KxClass::NewInit);
  h = Hdr{};
  h.length_delta = -33;  // below the header
  EXPECT_EQ(classify_kx_frame(frame(h), none), KxClass::Junk);
}

}  // namespace
}  // namespace linkcrypt::kxclass
