// The key holder's frames: each message round-trips, and every malformed variant is refused.
#include "keyholder_wire.h"

#include <gtest/gtest.h>

namespace kh = linkcrypt::keyholder;
namespace ike = linkcrypt::ike;

namespace {

kh::Request psk_request() {
  kh::Request q;
  q.type = kh::MsgType::PskAuth;
  q.id = 7;
  q.prf = ike::Prf::HmacSha2_384;
  q.use.purpose = ike::KeyPurpose::VerifyPeerAuth;
  q.use.spi_i = 0x0102030405060708;
  q.use.spi_r = 0x1112131415161718;
  q.use.peer = ike::Identity::fqdn("b.example");
  q.octets = {1, 2, 3, 4, 5};
  return q;
}

}  // namespace

TEST(KeyholderWire, PskAuthRoundTrips) {
  const auto bytes = kh::encode_request(psk_request());
  // u32 length | version | type | u32 id
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes[4], kh::kWireVersion);
  EXPECT_EQ(bytes[5], 1);
  EXPECT_EQ(uint32_t(bytes[0]) << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3], bytes.size() - 4);
  auto q = kh::parse_request(bytes);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->type, kh::MsgType::PskAuth);
  EXPECT_EQ(q->id, 7u);
  EXPECT_EQ(q->prf, ike::Prf::HmacSha2_384);
  EXPECT_EQ(q->use.purpose, ike::KeyPurpose::VerifyPeerAuth);
  EXPECT_EQ(q->use.spi_i, 0x0102030405060708u);
  EXPECT_EQ(q->use.spi_r, 0x1112131415161718u);
  ASSERT_TRUE(q->use.peer);
  EXPECT_EQ(q->use.peer->type, ike::IdType::Fqdn);
  EXPECT_EQ(std::string(q->use.peer->data.begin(), q->use.peer->data.end()), "b.example");
  EXPECT_EQ(q->octets, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
}

TEST(KeyholderWire, SignAndPublicKeyRoundTrip) {
  kh::Request s;
  s.type = kh::MsgType::Sign;
  s.id = 9;
  s.octets.assign(1000, 0xab);
  auto q = kh::parse_request(kh::encode_request(s));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->type, kh::MsgType::Sign);
  EXPECT_FALSE(q->use.peer);
  EXPECT_EQ(q->octets.size(), 1000u);

  kh::Request p;
  p.type = kh::MsgType::PublicKey;
  p.id = 10;
  const auto bytes = kh::encode_request(p);
  EXPECT_EQ(bytes.size(), 10u);
  auto r = kh::parse_request(bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, kh::MsgType::PublicKey);
  EXPECT_EQ(r->id, 10u);

  p.type = kh::MsgType::Describe;
  auto d = kh::parse_request(kh::encode_request(p));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, kh::MsgType::Describe);
  auto extra = kh::encode_request(p);
  extra.push_back(0);
  extra[3] += 1;  // length still matches: a body is not allowed
  EXPECT_FALSE(kh::parse_request(extra));
}

TEST(KeyholderWire, AnswersRoundTrip) {
  kh::Answer ok{3, ike::KeyResult::of({9, 8, 7})};
  auto a = kh::parse_answer(kh::encode_answer(ok));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, 3u);
  EXPECT_TRUE(a->result.ok());
  EXPECT_EQ(a->result.bytes, (std::vector<uint8_t>{9, 8, 7}));

  kh::Answer bad{4, ike::KeyResult::fail(ike::KeyError::Unsupported, "a pre-shared key cannot sign")};
  auto b = kh::parse_answer(kh::encode_answer(bad));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->result.error, ike::KeyError::Unsupported);
  EXPECT_EQ(b->result.detail, "a pre-shared key cannot sign");
  // An answer is not a request and vice versa.
  EXPECT_FALSE(kh::parse_request(kh::encode_answer(ok)));
  EXPECT_FALSE(kh::parse_answer(kh::encode_request(psk_request())));
}

TEST(KeyholderWire, EveryTruncationAndExtensionIsRefused) {
  const auto good = kh::encode_request(psk_request());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(kh::parse_request({good.data(), n})) << n;
  }
  auto longer = good;
  longer.push_back(0);
  EXPECT_FALSE(kh::parse_request(longer));  // length field no longer matches
  // Same length field, a trailing octet inside the frame: refused too.
  longer[3] = static_cast<uint8_t>(longer[3] + 1);
  EXPECT_FALSE(kh::parse_request(longer));
}

TEST(KeyholderWire, BadFieldsAreRefused) {
  const auto good = kh::encode_request(psk_request());
  auto with = [&](size_t at, uint8_t v) {
    auto b = good;
    b[at] = v;
    return kh::parse_request(b).has_value();
  };
  EXPECT_FALSE(with(4, 2));     // version
  EXPECT_FALSE(with(5, 0x7f));  // type
  EXPECT_FALSE(with(11, 9));    // prf 9 (low octet of the u16)
  EXPECT_FALSE(with(12, 2));    // purpose
  EXPECT_FALSE(with(29, 2));    // has_peer
  EXPECT_FALSE(with(30, 4));    // id type 4 is not one we know
  // Octets longer than kMaxOctets are refused even when the frame carries them.
  kh::Request big = psk_request();
  big.octets.assign(kh::kMaxOctets + 1, 0);
  EXPECT_FALSE(kh::parse_request(kh::encode_request(big)));
  // An error answer must name an error.
  auto err = kh::encode_answer({1, ike::KeyResult::fail(ike::KeyError::Failed, "x")});
  err[10] = 0;
  EXPECT_FALSE(kh::parse_answer(err));
}
