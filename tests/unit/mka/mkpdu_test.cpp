// MKPDU encode/decode: every set round-trips, the ICV covers the frame, and malformed frames are refused with a reason.
#include "mkpdu.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace linkcrypt::mka {
namespace {

const Mac kDst{0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};
const Mac kSrc{0x02, 0x00, 0x00, 0x00, 0x00, 0x0A};

std::vector<uint8_t> ick() { return std::vector<uint8_t>(16, 0x5A); }

MemberIdentifier mi(uint8_t seed) {
  MemberIdentifier m{};
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(seed + i);
  return m;
}

Mkpdu full_pdu() {
  Mkpdu p;
  p.basic.key_server_priority = 16;
  p.basic.key_server = true;
  p.basic.macsec_capability = 3;
  p.basic.sci = {0x02, 0, 0, 0, 0, 0x0A, 0, 1};
  p.basic.mi = mi(0x10);
  p.basic.mn = 7;
  p.basic.ckn = {0xAB, 0xCD, 0xEF, 0x01, 0x02};  // 5 octets: the set needs padding
  p.live_peers = std::vector<PeerEntry>{{mi(0x30), 9}, {mi(0x50), 1}};
  p.key_server_ssci = 1;
  p.potential_peers = std::vector<PeerEntry>{{mi(0x70), 3}};
  SakUse s;
  s.latest_an = 2;
  s.latest_tx = s.latest_rx = true;
  s.old_an = 1;
  s.old_rx = true;
  s.delay_protect = true;
  s.has_keys = true;
  s.latest_server_mi = mi(0x10);
  s.latest_kn = 4;
  s.latest_lowest_pn = 100;
  s.old_server_mi = mi(0x10);
  s.old_kn = 3;
  s.old_lowest_pn = 0xFFFFFF00;
  p.sak_use = s;
  DistributedSak d;
  d.an = 2;
  d.confidentiality_offset = 0;
  d.key_number = 4;
  d.cipher_suite = 0x0080C20001000004;  // GCM-AES-XPN-256
  d.wrapped_sak.assign(40, 0xC3);
  p.distributed_sak = d;
  p.xpn = XpnSet{0, 0x12345678, 0x9ABCDEF0};
  return p;
}

TEST(Mkpdu, EverySetRoundTripsAndTheIcvVerifies) {
  const Mkpdu p = full_pdu();
  const auto frame = encode_mkpdu(p, kDst, kSrc, ick());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size() % 4, 2u);  // 14-octet Ethernet header + 4-octet-aligned EAPOL PDU
  DecodedMkpdu d;
  ASSERT_EQ(decode_mkpdu(*frame, d), MkpduError::None);
  EXPECT_EQ(d.pdu, p);
  EXPECT_EQ(d.dst, kDst);
  EXPECT_EQ(d.src, kSrc);
  EXPECT_EQ(d.unknown_sets, 0u);
  EXPECT_EQ(d.covered.size(), frame->size() - kIcvLen);
  EXPECT_TRUE(mkpdu_icv_ok(d, ick()));
  EXPECT_FALSE(mkpdu_icv_ok(d, std::vector<uint8_t>(16, 0x5B)));
}

TEST(Mkpdu, AnyFlippedBitBreaksTheIcvOrTheParse) {
  const auto frame = encode_mkpdu(full_pdu(), kDst, kSrc, ick());
  ASSERT_TRUE(frame);
  for (size_t i = 0; i < frame->size() * 8; ++i) {
    auto f = *frame;
    f[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    DecodedMkpdu d;
    if (decode_mkpdu(f, d) == MkpduError::None) {
      EXPECT_FALSE(mkpdu_icv_ok(d, ick())) << "bit " << i;
    }
  }
}

TEST(Mkpdu, TheSmallestMkpduIsABasicSetAndTheIcv) {
  Mkpdu p;
  p.basic.ckn = std::vector<uint8_t>(32, 0x11);
  p.basic.mi = mi(1);
  p.basic.mn = 1;
  const auto frame = encode_mkpdu(p, kDst, kSrc, ick());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), 14u + 4 + 4 + 28 + 32 + 4 + 16);
  DecodedMkpdu d;
  ASSERT_EQ(decode_mkpdu(*frame, d), MkpduError::None);
  EXPECT_EQ(d.pdu, p);
  EXPECT_TRUE(mkpdu_icv_ok(d, ick()));
}

TEST(Mkpdu, AnIcvWithoutItsIndicatorIsAccepted) {
  // 802.1X-2020 allows leaving the ICV Indicator out when the ICV has the default length.
  auto frame = *encode_mkpdu(full_pdu(), kDst, kSrc, ick());
  frame.erase(frame.end() - kIcvLen - 4, frame.end() - kIcvLen);
  const uint16_t len = static_cast<uint16_t>(frame.size() - 18);
  frame[16] = static_cast<uint8_t>(len >> 8);
  frame[17] = static_cast<uint8_t>(len);
  DecodedMkpdu d;
  ASSERT_EQ(decode_mkpdu(frame, d), MkpduError::None);
  EXPECT_EQ(d.pdu, full_pdu());
  EXPECT_EQ(d.covered.size(), frame.size() - kIcvLen);
}

TEST(Mkpdu, EveryTruncationIsRefusedAndEthernetPaddingIsIgnored) {
  const auto frame = *encode_mkpdu(full_pdu(), kDst, kSrc, ick());
  for (size_t n = 0; n < frame.size(); ++n) {
    DecodedMkpdu d;
    EXPECT_NE(decode_mkpdu(std::span(frame).first(n), d), MkpduError::None) << n;
  }
  auto padded = frame;
  padded.resize(frame.size() + 20, 0);
  DecodedMkpdu d;
  EXPECT_EQ(decode_mkpdu(padded, d), MkpduError::None);
  EXPECT_TRUE(mkpdu_icv_ok(d, ick()));
}

TEST(Mkpdu, RefusesOtherPacketsAndBadSets) {
  const auto good = *encode_mkpdu(full_pdu(), kDst, kSrc, ick());
  DecodedMkpdu d;
  auto f = good;
  f[12] = 0x88, f[13] = 0xE5;  // a MACsec frame
  EXPECT_EQ(decode_mkpdu(f, d), MkpduError::NotEapolMka);
  f = good;
  f[15] = 0;  // EAP-Packet
  EXPECT_EQ(decode_mkpdu(f, d), MkpduError::NotEapolMka);
  f = good;
  f[18] = 0;  // MKA version 0
  EXPECT_EQ(decode_mkpdu(f, d), MkpduError::BadBasicSet);
  f = good;
  f[20] = static_cast<uint8_t>(f[20] & 0xF0), f[21] = 28;  // no CKN
  EXPECT_EQ(decode_mkpdu(f, d), MkpduError::BadBasicSet);

  Mkpdu p = full_pdu();
  p.basic.ckn.clear();
  EXPECT_FALSE(encode_mkpdu(p, kDst, kSrc, ick()));
  p.basic.ckn.assign(33, 1);
  EXPECT_FALSE(encode_mkpdu(p, kDst, kSrc, ick()));
  p = full_pdu();
  p.distributed_sak->cipher_suite.reset();  // a 40-octet wrapped SAK is 256 bits: not the default suite
  EXPECT_FALSE(encode_mkpdu(p, kDst, kSrc, ick()));
}

// Parameter sets written by hand after a minimal PDU: duplicates, bad lengths, unknown types.
std::vector<uint8_t> with_sets(const std::vector<uint8_t>& sets) {
  Mkpdu p;
  p.basic.ckn = {1, 2, 3, 4};
  auto frame = *encode_mkpdu(p, kDst, kSrc, ick());
  const size_t icv_at = frame.size() - kIcvLen - 4;  // before the ICV Indicator
  frame.insert(frame.begin() + static_cast<std::ptrdiff_t>(icv_at), sets.begin(), sets.end());
  const uint16_t len = static_cast<uint16_t>(frame.size() - 18);
  frame[16] = static_cast<uint8_t>(len >> 8);
  frame[17] = static_cast<uint8_t>(len);
  return frame;
}

TEST(Mkpdu, UnknownSetsAreSkippedDuplicatesAndBadLengthsRefused) {
  DecodedMkpdu d;
  // An Announcement (type 7) with a 5-octet body and 3 octets of padding.
  EXPECT_EQ(decode_mkpdu(with_sets({7, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0}), d), MkpduError::None);
  EXPECT_EQ(d.unknown_sets, 1u);
  const std::vector<uint8_t> empty_live{1, 0, 0, 0};
  std::vector<uint8_t> twice = empty_live;
  twice.insert(twice.end(), empty_live.begin(), empty_live.end());
  EXPECT_EQ(decode_mkpdu(with_sets(twice), d), MkpduError::DuplicateSet);
  std::vector<uint8_t> odd_peers{1, 0, 0, 12};
  odd_peers.resize(16, 0);
  EXPECT_EQ(decode_mkpdu(with_sets(odd_peers), d), MkpduError::BadParameterSet);
  std::vector<uint8_t> short_xpn{8, 0, 0, 4, 0, 0, 0, 0};
  EXPECT_EQ(decode_mkpdu(with_sets(short_xpn), d), MkpduError::BadParameterSet);
  std::vector<uint8_t> odd_sak{4, 0, 0, 20};
  odd_sak.resize(24, 0);
  EXPECT_EQ(decode_mkpdu(with_sets(odd_sak), d), MkpduError::BadParameterSet);
  std::vector<uint8_t> long_set{7, 0, 0x0F, 0xFF};  // 4095 octets claimed
  EXPECT_EQ(decode_mkpdu(with_sets(long_set), d), MkpduError::Truncated);
  std::vector<uint8_t> early_icv{255, 0, 0, 16};  // an ICV Indicator that is not last
  early_icv.resize(20, 0);
  EXPECT_EQ(decode_mkpdu(with_sets(early_icv), d), MkpduError::BadIcvIndicator);
}

}  // namespace
}  // namespace linkcrypt::mka
