// IKEv2 codec: payloads round-trip, and malformed structures are rejected with a typed reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_proposals.h"
#include "ike_validate.h"
#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike {
namespace {

std::vector<uint8_t> message_of(const ChainBuilder& c, ExchangeType ex = ExchangeType::IkeSaInit) {
  Header h;
  h.spi_i = 0x1122334455667788ULL;
  h.next_payload = c.first();
  h.exchange = ex;
  h.flags = kFlagInitiator;
  ByteWriter w;
  write_header(w, h);
  c.write(w);
  patch_length(w);
  return w.take();
}

TEST(IkeCodec, InitPayloadsRoundTrip) {
  IkeProposal cfg;
  const auto offer = build_ike_offer({cfg}, {});
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa(offer));
  c.add(PayloadType::Ke, build_ke(31, std::vector<uint8_t>(32, 7)));
  c.add(PayloadType::Nonce, std::vector<uint8_t>(32, 9));
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NatDetectionSourceIp, std::vector<uint8_t>(20, 1)));
  c.add(PayloadType::Vendor, {1, 2, 3});
  const auto msg = message_of(c);
  Message m;
  ASSERT_EQ(parse_message(msg, m), ParseError::Ok);
  EXPECT_EQ(m.header.spi_i, 0x1122334455667788ULL);
  EXPECT_EQ(m.header.length, msg.size());
  ASSERT_TRUE(m.payloads.sa);
  ASSERT_EQ(m.payloads.sa->size(), 1u);
  EXPECT_EQ((*m.payloads.sa)[0].transforms.size(), offer[0].transforms.size());
  EXPECT_EQ((*m.payloads.sa)[0].transforms, offer[0].transforms);
  EXPECT_EQ(m.payloads.ke->group, 31);
  EXPECT_EQ(m.payloads.nonce->size(), 32u);
  EXPECT_EQ(m.payloads.notifies.size(), 1u);
  EXPECT_EQ(m.payloads.vendor_count, 1u);
  EXPECT_FALSE(m.sk);
  EXPECT_EQ(describe(*m.payloads.sa)[0],
            "IKE:AES_GCM_16_256,AES_GCM_16_128/PRF_HMAC_SHA2_256,PRF_HMAC_SHA2_384,PRF_HMAC_SHA2_512/"
            "CURVE_25519,ECP_256,ECP_384");
}

TEST(IkeCodec, MacsecChildProposalUsesPrivateUseValues) {
  ChildConfig cfg;
  cfg.macsec.confidentiality_offset = 30;
  const auto offer = build_child_offer(cfg, 0x01020304, true);
  const auto body = build_sa(offer);
  std::vector<Proposal> back;
  ASSERT_EQ(parse_sa(body, back), ParseError::Ok);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].protocol, ProtocolId::Macsec);
  EXPECT_EQ(static_cast<int>(back[0].protocol), 201);
  EXPECT_EQ(back[0].spi, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(back[0].transforms[0].id, 1027);  // GCM-AES-XPN-256
  EXPECT_EQ(back[0].transforms[0].macsec_offset, 30);
  EXPECT_EQ(back[0].transforms[0].macsec_confidentiality, 1);
  EXPECT_EQ(back[0].transforms.back().type, TransformType::Ke);
  EXPECT_EQ(describe(back)[0], "MACSEC:GCM-AES-XPN-256,GCM-AES-XPN-128/CURVE_25519");
}

TEST(IkeCodec, TrafficSelectorsDeleteAndIdRoundTrip) {
  TrafficSelector v6;
  v6.ts_type = 8;
  v6.start_addr.assign(16, 0);
  v6.end_addr.assign(16, 0xff);
  ChainBuilder c;
  c.add(PayloadType::TsI, build_ts({TrafficSelector{}, v6}));
  c.add(PayloadType::Delete, build_delete(ProtocolId::Esp, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}));
  c.add(PayloadType::IdI, build_id(2, std::vector<uint8_t>{'a', 'b'}));
  c.add(PayloadType::Auth, build_auth(2, std::vector<uint8_t>(32, 3)));
  const auto inner = [&] {
    ByteWriter w;
    c.write(w);
    return w.take();
  }();
  Payloads p;
  ASSERT_EQ(parse_payloads(c.first(), inner, p), ParseError::Ok);
  ASSERT_EQ(p.tsi->size(), 2u);
  EXPECT_EQ((*p.tsi)[1].end_addr.size(), 16u);
  ASSERT_EQ(p.deletes.size(), 1u);
  EXPECT_EQ(p.deletes[0].spis.size(), 2u);
  EXPECT_EQ(p.idi->data, (std::vector<uint8_t>{'a', 'b'}));
  EXPECT_EQ(p.idi->body.size(), 6u);  // RestOfIDPayload: type, 3 reserved, data
  EXPECT_EQ(p.auth->method, 2);
}

TEST(IkeCodec, MalformedInputGivesTypedReasons) {
  ChainBuilder c;
  c.add(PayloadType::Nonce, std::vector<uint8_t>(32, 9));
  auto msg = message_of(c);
  Message m;
  // Length field disagrees with the datagram.
  auto longer = msg;
  longer.push_back(0);
  EXPECT_EQ(parse_message(longer, m), ParseError::TrailingBytes);
  EXPECT_EQ(parse_message(std::span<const uint8_t>(msg).first(msg.size() - 1), m), ParseError::Truncated);
  // Major version 3.
  auto v3 = msg;
  v3[17] = 0x30;
  Message m2;
  EXPECT_EQ(parse_message(v3, m2), ParseError::BadVersion);
  // Payload length below its header.
  auto bad = msg;
  bad[28 + 3] = 2;
  Message m3;
  EXPECT_EQ(parse_message(bad, m3), ParseError::BadLength);
  // Unknown critical payload type 200.
  auto crit = msg;
  crit[16] = 200;
  crit[28 + 1] = 0x80;
  Message m4;
  EXPECT_EQ(parse_message(crit, m4), ParseError::UnsupportedCritical);
  // ... but the same payload without the critical bit is skipped.
  crit[28 + 1] = 0;
  Message m5;
  EXPECT_EQ(parse_message(crit, m5), ParseError::Ok);
  EXPECT_EQ(m5.payloads.unknown_count, 1u);
  // Duplicate nonce.
  ChainBuilder d;
  d.add(PayloadType::Nonce, std::vector<uint8_t>(16, 1));
  d.add(PayloadType::Nonce, std::vector<uint8_t>(16, 2));
  Message m6;
  EXPECT_EQ(parse_message(message_of(d), m6), ParseError::Duplicate);
  // A proposal whose first number is 2, and a transform with a bad Last Substruc.
  auto sa = build_sa(build_ike_offer({IkeProposal{}}, {}));
  auto sa2 = sa;
  sa2[4] = 2;
  std::vector<Proposal> out;
  EXPECT_EQ(parse_sa(sa2, out), ParseError::BadProposal);
  auto sa3 = sa;
  sa3[8] = 7;
  out.clear();
  EXPECT_EQ(parse_sa(sa3, out), ParseError::BadProposal);
  // Delete whose SPI count does not fill the payload.
  Payloads p;
  auto del = build_delete(ProtocolId::Esp, 4, {{1, 2, 3, 4}});
  del[3] = 2;
  ChainBuilder e;
  e.add(PayloadType::Delete, del);
  ByteWriter w;
  e.write(w);
  EXPECT_EQ(parse_payloads(PayloadType::Delete, w.view(), p), ParseError::BadLength);
  // Traffic selector with an IPv4 type but IPv6 length.
  auto ts = build_ts({TrafficSelector{}});
  ts[4 + 3] = 40;
  std::vector<TrafficSelector> tso;
  EXPECT_NE(parse_ts(ts, tso), ParseError::Ok);
}

TEST(IkeValidate, MeaningChecksCiteWhatIsWrong) {
  Payloads p;
  EXPECT_EQ(validate_init(p), Invalid::MissingSa);
  p.sa = build_ike_offer({IkeProposal{}}, {});
  EXPECT_EQ(validate_init(p), Invalid::MissingKe);
  p.ke = KePayload{31, std::vector<uint8_t>(31, 1)};
  EXPECT_EQ(validate_init(p), Invalid::BadKeLength);
  p.ke->data.resize(32);
  EXPECT_EQ(validate_init(p), Invalid::MissingNonce);
  p.nonce = std::vector<uint8_t>(15, 2);
  EXPECT_EQ(validate_init(p), Invalid::BadNonceLength);
  p.nonce->resize(257);
  EXPECT_EQ(validate_init(p), Invalid::BadNonceLength);
  p.nonce->resize(16);
  EXPECT_EQ(validate_init(p), Invalid::Ok);
  p.ke = KePayload{14, std::vector<uint8_t>(256, 1)};  // a group we lack: negotiation, not syntax
  EXPECT_EQ(validate_init(p), Invalid::Ok);

  Payloads c;
  c.sa = build_child_offer(ChildConfig{}, 0x01020304, true);
  c.nonce = std::vector<uint8_t>(32, 1);
  EXPECT_EQ(validate_create_child_request(c), Invalid::Ok);
  (*c.sa)[0].spi.resize(8);
  EXPECT_EQ(validate_create_child_request(c), Invalid::BadSpiSize);
  c.sa = build_ike_offer({IkeProposal{}}, spi_bytes(uint64_t{42}));
  EXPECT_EQ(validate_create_child_request(c), Invalid::MissingKe);  // IKE rekey needs KE (1.3.2)
  c.ke = KePayload{19, std::vector<uint8_t>(64, 1)};
  EXPECT_EQ(validate_create_child_request(c), Invalid::Ok);
  c.notifies.push_back(NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::MacsecSci), {1, 2, 3}});
  EXPECT_EQ(validate_create_child_request(c), Invalid::BadSci);

  Payloads a;
  EXPECT_EQ(validate_auth(a, true), Invalid::MissingId);
  a.idi = IdPayload{2, {2, 0, 0, 0, 'a'}, {'a'}};
  EXPECT_EQ(validate_auth(a, true), Invalid::MissingAuth);
  EXPECT_EQ(validate_auth(a, false), Invalid::MissingId);  // a responder must send IDr
  a.auth = AuthPayload{2, std::vector<uint8_t>(32, 0)};
  EXPECT_EQ(validate_auth(a, true), Invalid::Ok);
  EXPECT_STREQ(to_string(Invalid::BadNonceLength), "nonce length outside 16..256");
}

TEST(IkeCodec, SkMustBeLast) {
  ChainBuilder c;
  c.add(PayloadType::Sk, std::vector<uint8_t>(40, 0));
  c.add(PayloadType::Nonce, std::vector<uint8_t>(16, 0));
  Message m;
  EXPECT_EQ(parse_message(message_of(c, ExchangeType::IkeAuth), m), ParseError::SkNotLast);
}

// Writes the messages of a real exchange (and inner payload chains) as the fuzz seed corpus when
// IKE_DUMP_CORPUS names a folder; otherwise checks there is something to write.
TEST(IkeCodec, SeedCorpusFromRealExchanges) {
  using namespace linkcrypt::ike::test;
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<ChildKeysReady>() == 1 && !net.in_flight(); }));
  net.rekey_child(0);
  ASSERT_TRUE(net.run_until([&] { return net.log(1).count<ChildRekeyed>() == 1 && !net.in_flight(); }));
  net.rekey_ike(1);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<IkeRekeyed>() == 1 && !net.in_flight(); }));
  std::vector<std::vector<uint8_t>> seeds;
  for (int p = 0; p < 2; ++p)
    for (const auto& m : net.sent(p)) {
      Message parsed;
      EXPECT_EQ(parse_message(m, parsed), ParseError::Ok);
      std::vector<uint8_t> s{0};
      s.insert(s.end(), m.begin(), m.end());
      seeds.push_back(s);
      s[0] = 2;
      seeds.push_back(s);
    }
  // Decrypted-SK-like chains: what IKE_AUTH and CREATE_CHILD_SA carry inside SK.
  ChainBuilder inner;
  inner.add(PayloadType::IdI, build_id(2, std::vector<uint8_t>{'a'}));
  inner.add(PayloadType::Cert, build_cert(15, std::vector<uint8_t>(44, 1)));
  inner.add(PayloadType::Auth, build_auth(14, std::vector<uint8_t>(72, 2)));
  inner.add(PayloadType::Sa, build_sa(build_child_offer(ChildConfig{}, 0x11223344, true)));
  inner.add(PayloadType::TsI, build_ts({TrafficSelector{}}));
  inner.add(PayloadType::TsR, build_ts({TrafficSelector{}}));
  inner.add(PayloadType::Notify, build_notify(201, std::vector<uint8_t>{1, 2, 3, 4}, NotifyType::RekeySa, {}));
  inner.add(PayloadType::Delete, build_delete(ProtocolId::Macsec, 4, {{1, 2, 3, 4}}));
  inner.add(PayloadType::Cp, {1, 0, 0, 0, 0, 1, 0, 0});
  ByteWriter w;
  inner.write(w);
  std::vector<uint8_t> s{1, static_cast<uint8_t>(inner.first())};
  s.insert(s.end(), w.view().begin(), w.view().end());
  seeds.push_back(s);
  EXPECT_GE(seeds.size(), 14u);
  // ike_session seeds: [flags][first type][decrypted chain]; c1c1c1c1 = the sender's live child.
  const std::vector<uint8_t> magic{0xc1, 0xc1, 0xc1, 0xc1};
  std::vector<std::vector<uint8_t>> session_seeds;
  auto add_session_seed = [&](uint8_t flags, const ChainBuilder& c) {
    ByteWriter b;
    c.write(b);
    std::vector<uint8_t> seed{flags, static_cast<uint8_t>(c.first())};
    seed.insert(seed.end(), b.view().begin(), b.view().end());
    session_seeds.push_back(seed);
  };
  auto x25519 = DhKey::generate(DhGroup::Curve25519);
  ASSERT_TRUE(x25519);
  {
    ChainBuilder c;  // child rekey request, to either side
    c.add(PayloadType::Notify, build_notify(201, magic, NotifyType::RekeySa, {}));
    c.add(PayloadType::Sa, build_sa(build_child_offer(ChildConfig{}, 0x01020304, true)));
    c.add(PayloadType::Nonce, std::vector<uint8_t>(32, 5));
    c.add(PayloadType::Ke, build_ke(31, x25519->public_value()));
    c.add(PayloadType::TsI, build_ts({TrafficSelector{}}));
    c.add(PayloadType::TsR, build_ts({TrafficSelector{}}));
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::MacsecSci, std::vector<uint8_t>(8, 7)));
    add_session_seed(0x02, c);
    add_session_seed(0x03, c);
    add_session_seed(0x0a, c);  // as a response to a rekey of ours
  }
  {
    ChainBuilder c;  // IKE rekey request
    c.add(PayloadType::Sa, build_sa(build_ike_offer({IkeProposal{{128}, {Prf::HmacSha2_256}, {DhGroup::Curve25519}}},
                                                    spi_bytes(uint64_t{0x0102030405060708}))));
    c.add(PayloadType::Nonce, std::vector<uint8_t>(32, 6));
    c.add(PayloadType::Ke, build_ke(31, x25519->public_value()));
    add_session_seed(0x02, c);
    add_session_seed(0x03, c);
  }
  {
    ChainBuilder c;  // delete the live child, and an IKE delete
    c.add(PayloadType::Delete, build_delete(ProtocolId::Macsec, 4, {magic}));
    add_session_seed(0x04, c);
    ChainBuilder d;
    d.add(PayloadType::Delete, build_delete(ProtocolId::Ike, 0, {}));
    add_session_seed(0x05, d);
    ChainBuilder n;
    n.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    add_session_seed(0x04, n);
    ChainBuilder t;
    t.add(PayloadType::Notify, build_notify(0, {}, NotifyType::TemporaryFailure, {}));
    add_session_seed(0x0a, t);
  }
  const char* dir = std::getenv("IKE_DUMP_CORPUS");
  if (dir == nullptr) return;
  auto write_all = [](const std::filesystem::path& d, const std::vector<std::vector<uint8_t>>& all) {
    for (size_t i = 0; i < all.size(); ++i) {
      std::ofstream f(d / ("seed_" + std::to_string(i)), std::ios::binary);
      f.write(reinterpret_cast<const char*>(all[i].data()), static_cast<std::streamsize>(all[i].size()));
    }
  };
  write_all(std::filesystem::path(dir) / "ike_message", seeds);
  write_all(std::filesystem::path(dir) / "ike_session", session_seeds);
}

}  // namespace
}  // namespace linkcrypt::ike
