// The dataplane <-> IKE process frames: each message round-trips, and every malformed variant is refused whole.
#include "keying_wire.h"

#include <gtest/gtest.h>

#include <numeric>

namespace ipc = linkcrypt::ipc;
namespace ike = linkcrypt::ike;
using linkcrypt::SecretBytes;

namespace {

ipc::InstallSa xpn_install() {
  ipc::InstallSa s;
  s.tx = true;
  s.suite = ike::MacsecSuite::GcmAesXpn256;
  s.key_id = 0x1122334455667788;
  s.sci = 0x0200000000010001;
  s.an = 2;
  s.ssci = 1;
  std::vector<uint8_t> sak(32), salt(12);
  std::iota(sak.begin(), sak.end(), uint8_t{1});
  std::iota(salt.begin(), salt.end(), uint8_t{100});
  s.sak = SecretBytes(std::span<const uint8_t>(sak));
  s.salt = SecretBytes(std::span<const uint8_t>(salt));
  return s;
}

std::vector<uint8_t> encoded_install() {
  return ipc::encode(ipc::KeyingMsg::InstallSa, 9, ipc::KeyingMessage{xpn_install()});
}

}  // namespace

TEST(KeyingWire, InstallSaRoundTrips) {
  const auto bytes = encoded_install();
  auto d = ipc::parse(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, ipc::KeyingMsg::InstallSa);
  EXPECT_EQ(d->seq, 9u);
  EXPECT_FALSE(ipc::from_dataplane(d->type));
  const auto& s = std::get<ipc::InstallSa>(d->msg);
  const auto want = xpn_install();
  EXPECT_TRUE(s.tx);
  EXPECT_EQ(s.suite, want.suite);
  EXPECT_EQ(s.key_id, want.key_id);
  EXPECT_EQ(s.sci, want.sci);
  EXPECT_EQ(s.an, 2);
  EXPECT_EQ(s.ssci, 1u);
  EXPECT_TRUE(std::ranges::equal(s.sak.view(), want.sak.view()));
  EXPECT_TRUE(std::ranges::equal(s.salt.view(), want.salt.view()));
  EXPECT_EQ(ipc::encode(d->type, d->seq, d->msg), bytes);
}

TEST(KeyingWire, EveryTruncationAndAnExtraByteAreRefused) {
  const auto bytes = encoded_install();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(ipc::parse({bytes.data(), n})) << "prefix of " << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  longer[3] = static_cast<uint8_t>(longer[3] + 1);  // the length field agrees: the body has a trailing byte
  EXPECT_FALSE(ipc::parse(longer));
}

TEST(KeyingWire, KeyLengthsMustMatchTheSuite) {
  // An XPN-256 SAK of 16 octets, or a salt on a non-XPN suite, is refused.
  auto s = xpn_install();
  std::vector<uint8_t> short_key(16, 7);
  s.sak = SecretBytes(std::span<const uint8_t>(short_key));
  EXPECT_FALSE(ipc::parse(ipc::encode(ipc::KeyingMsg::InstallSa, 1, ipc::KeyingMessage{std::move(s)})));
  auto t = xpn_install();
  t.suite = ike::MacsecSuite::GcmAes256;
  EXPECT_FALSE(ipc::parse(ipc::encode(ipc::KeyingMsg::InstallSa, 1, ipc::KeyingMessage{std::move(t)})));
}

TEST(KeyingWire, BadAnVersionAndTypeAreRefused) {
  auto sw = ipc::encode(ipc::KeyingMsg::SwitchTx, 1, ipc::SwitchTx{3});
  ASSERT_TRUE(ipc::parse(sw));
  sw.back() = 4;  // ANs are 0..3
  EXPECT_FALSE(ipc::parse(sw));
  auto v = ipc::encode(ipc::KeyingMsg::RekeyRequest, 1, ipc::RekeyRequest{});
  ASSERT_TRUE(ipc::parse(v));
  v[4] = 2;  // version
  EXPECT_FALSE(ipc::parse(v));
  v[4] = 1;
  v[5] = 0x7f;  // no such type
  EXPECT_FALSE(ipc::parse(v));
}

TEST(KeyingWire, StatusAndCountersRoundTrip) {
  ipc::Status st;
  st.link_state = 2;
  st.initiator = true;
  st.tx_an = 1;
  st.tx_key_id = 0xabcdef;
  st.rotations = 5;
  st.transport = "inband";
  st.peer_id = "box-b.linkcrypt.test";
  st.ike_state = "established";
  st.ike_spis = std::pair<uint64_t, uint64_t>{1, 2};
  st.failure = "PeerDead";
  st.failure_hint = "the link or the peer daemon stopped";
  st.failure_s_ago = 3;
  const auto bytes = ipc::encode(ipc::KeyingMsg::Status, 4, st);
  auto d = ipc::parse(bytes);
  ASSERT_TRUE(d);
  const auto& got = std::get<ipc::Status>(d->msg);
  EXPECT_EQ(got.peer_id, st.peer_id);
  EXPECT_EQ(got.tx_key_id, st.tx_key_id);
  EXPECT_EQ(got.ike_spis, st.ike_spis);
  EXPECT_EQ(ipc::encode(d->type, d->seq, d->msg), bytes);

  ipc::Counters c;
  c.drops = 7;
  c.sas = {{true, 0, 1, 4096}, {false, 0x0200000000010001, 0, 99}};
  auto cd = ipc::parse(ipc::encode(ipc::KeyingMsg::Counters, 5, c));
  ASSERT_TRUE(cd);
  EXPECT_TRUE(ipc::from_dataplane(cd->type));
  EXPECT_EQ(std::get<ipc::Counters>(cd->msg).sas.size(), 2u);
}

TEST(KeyingWire, KxFramesAreBounded) {
  EXPECT_TRUE(ipc::parse(ipc::encode(ipc::KeyingMsg::KxIn, 1, ipc::KxFrame{std::vector<uint8_t>(60, 1)})));
  EXPECT_FALSE(ipc::parse(ipc::encode(ipc::KeyingMsg::KxIn, 1, ipc::KxFrame{})));  // empty
  EXPECT_FALSE(ipc::parse(ipc::encode(ipc::KeyingMsg::KxOut, 1, ipc::KxFrame{std::vector<uint8_t>(ipc::kMaxKxFrame + 1, 1)})));
}
