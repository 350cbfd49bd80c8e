// Forged IKE_SA_INIT answers (RFC 7296 2.21.1): ignored and counted, COOKIE/INVALID_KE bounded, genuine answers still key.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {

constexpr uint16_t kNoProposalChosen = 14;
constexpr uint16_t kInvalidKePayload = 17;
constexpr uint16_t kAuthenticationFailed = 24;
constexpr uint16_t kInvalidSyntax = 7;
constexpr uint16_t kTemporaryFailure = 43;
constexpr uint16_t kCookie = 16390;

// What an attacker on the wire sends: an IKE_SA_INIT response (R flag, message ID 0) for the
// initiator's SPI with one notify and nothing else; 36 octets without notify data.
std::vector<uint8_t> forged_init_answer(uint64_t spi_i, uint16_t type, std::vector<uint8_t> data = {}) {
  std::vector<uint8_t> m;
  auto put = [&](uint64_t v, int octets) {
    for (int i = octets - 1; i >= 0; --i) m.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put(spi_i, 8);
  put(0, 8);                                // SPIr: a refusing responder keeps no state
  m.insert(m.end(), {41, 0x20, 34, 0x20});  // Notify first, IKEv2, IKE_SA_INIT, Response
  put(0, 4);
  put(28 + 8 + data.size(), 4);
  m.insert(m.end(), {0, 0});
  put(8 + data.size(), 2);
  m.insert(m.end(), {0, 0});  // protocol ID, SPI size
  put(type, 2);
  m.insert(m.end(), data.begin(), data.end());
  return m;
}

std::vector<uint8_t> u16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

bool both_up(SimNet& net) {
  return net.log(0).count<ChildKeysReady>() >= 1 && net.log(1).count<ChildKeysReady>() >= 1;
}

// Runs the simulation until the initiator has sent `n` datagrams (or nothing more happens).
void run_until_sent(SimNet& net, size_t n) {
  ASSERT_TRUE(net.run_until([&] { return net.sent(0).size() >= n; })) << "initiator never sent datagram " << n;
}

TEST(IkeForgedNotify, ForgedNoProposalChosenIsCountedAndTheGenuineAnswerKeys) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  ASSERT_EQ(net.a().state(), SessionState::InitSent);
  const auto forged = forged_init_answer(net.a().spi_i(), kNoProposalChosen);
  ASSERT_EQ(forged.size(), 36u);
  for (int i = 0; i < 6; ++i) net.inject(0, forged);  // the red team's six, before the genuine answer
  EXPECT_EQ(net.a().state(), SessionState::InitSent);
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 6u);
  ASSERT_EQ(net.log(0).count<UntrustedNotify>(), 6u);
  EXPECT_EQ(net.log(0).last<UntrustedNotify>()->notify_type, kNoProposalChosen);
  EXPECT_EQ(notify_type_name(kNoProposalChosen), "NO_PROPOSAL_CHOSEN");
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
  EXPECT_EQ(net.a().counters().tx_retransmits, 0u) << "keyed by the first request, not after a retransmission";
  EXPECT_TRUE(net.a().established());
}

TEST(IkeForgedNotify, ForgedErrorsAcrossRetransmissionsDoNotEndTheAttempt) {
  NetFaults f;
  f.drop = 1.0;  // the genuine responder is out of reach for a while; only forgeries arrive
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f);
  net.start();
  const uint64_t spi = net.a().spi_i();
  const uint16_t errors[] = {kNoProposalChosen, kInvalidSyntax, kAuthenticationFailed, kTemporaryFailure};
  for (size_t round = 0; round < 4; ++round) {
    for (uint16_t e : errors) net.inject(0, forged_init_answer(spi, e));
    run_until_sent(net, round + 2);  // the request is retransmitted: still waiting
    EXPECT_EQ(net.sent(0).back(), net.sent(0).front()) << "a plain retransmission, not a new request";
  }
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 16u);
  EXPECT_EQ(net.a().counters().tx_retransmits, 4u);
  net.faults().drop = 0.0;
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
}

TEST(IkeForgedNotify, OnlyForgedAnswersEndAtTheRetransmissionTimeoutNamingTheUntrustedNotify) {
  NetFaults f;
  f.drop = 1.0;
  Config a = psk_config(Role::Initiator);
  a.timers.retransmit_limit = 3;
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), f);
  const TimePoint t0 = net.now();
  net.start();
  net.inject(0, forged_init_answer(net.a().spi_i(), kNoProposalChosen));
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() > 0; }));
  // Exactly as long as an unanswered attempt: the forgery did not shorten it.
  EXPECT_EQ(std::chrono::duration_cast<Millis>(net.now() - t0).count(), 500 + 1000 + 2000 + 4000);
  EXPECT_EQ(net.a().counters().tx_retransmits, 3u);
  const Failed* fl = net.log(0).last<Failed>();
  EXPECT_EQ(fl->reason, FailReason::NoProposalChosen);
  EXPECT_FALSE(fl->by_peer) << "an unauthenticated notify is not the peer's word";
  EXPECT_NE(fl->detail.find("unauthenticated NO_PROPOSAL_CHOSEN"), std::string::npos) << fl->detail;
  EXPECT_NE(fl->detail.find("not trusted"), std::string::npos) << fl->detail;
  ASSERT_TRUE(fl->proposals.has_value());
  EXPECT_EQ(fl->proposals->peer_offer, std::vector<std::string>{"(peer did not say)"});
}

TEST(IkeForgedNotify, NoForgeryTimeoutStaysPeerUnreachable) {
  NetFaults f;
  f.drop = 1.0;
  Config a = psk_config(Role::Initiator);
  a.timers.retransmit_limit = 2;
  SimNet net(share(std::move(a)), share(psk_config(Role::Responder)), f);
  net.start();
  ASSERT_TRUE(net.run_until([&] { return net.log(0).count<Failed>() > 0; }));
  EXPECT_EQ(net.log(0).last<Failed>()->reason, FailReason::PeerUnreachable);
  EXPECT_EQ(net.log(0).last<Failed>()->detail.find("unauthenticated"), std::string::npos);
}

TEST(IkeForgedNotify, BlindForgeryForAnotherSpiIsUnexpectedNotUntrusted) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  net.inject(0, forged_init_answer(net.a().spi_i() ^ 0x5a5a, kNoProposalChosen));
  EXPECT_EQ(net.a().counters().rx_unexpected, 1u);
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 0u);
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
}

TEST(IkeForgedNotify, ForgedCookieBeforeTheGenuineAnswerDoesNotRestartTheExchange) {
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), {});
  net.start();
  net.inject(0, forged_init_answer(net.a().spi_i(), kCookie, std::vector<uint8_t>(33, 0xc0)));
  EXPECT_EQ(net.sent(0).size(), 1u) << "a COOKIE is acted on when the retransmission is due, not at once";
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<CookieRetry>(), 0u);
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
  EXPECT_EQ(net.responder().counters().accepted, 1u);
}

TEST(IkeForgedNotify, ForgedCookiesAreActedOnAtMostTwicePerAttempt) {
  NetFaults f;
  f.drop = 1.0;
  SimNet net(share(psk_config(Role::Initiator)), share(psk_config(Role::Responder)), f);
  net.start();
  const uint64_t spi = net.a().spi_i();
  for (size_t round = 1; round <= 2; ++round) {
    const std::vector<uint8_t> cookie(33, static_cast<uint8_t>(round));
    net.inject(0, forged_init_answer(spi, kCookie, cookie));
    run_until_sent(net, round + 1);
    const auto& retry = net.sent(0).back();
    EXPECT_EQ(retry[16], 41) << "the COOKIE notify is the first payload (RFC 7296 2.6)";
    EXPECT_NE(std::search(retry.begin(), retry.end(), cookie.begin(), cookie.end()), retry.end());
    EXPECT_EQ(net.log(0).count<CookieRetry>(), round);
  }
  // The third is beyond the bound: ignored, counted, and the last request is retransmitted as is.
  const auto last_request = net.sent(0).back();
  net.inject(0, forged_init_answer(spi, kCookie, std::vector<uint8_t>(33, 3)));
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 1u);
  EXPECT_EQ(net.log(0).count<UntrustedNotify>(), 1u);
  run_until_sent(net, 4);
  EXPECT_EQ(net.sent(0).back(), last_request);
  EXPECT_EQ(net.log(0).count<CookieRetry>(), 2u);
  // The genuine responder is not under load: it ignores the (forged) cookie and answers.
  net.faults().drop = 0.0;
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<Failed>(), 0u);
}

TEST(IkeForgedNotify, ForgedInvalidKeIsActedOnAtMostTwiceAndOnlyForAGroupWeOffer) {
  NetFaults f;
  f.drop = 1.0;
  Config a = psk_config(Role::Initiator);
  a.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Curve25519, DhGroup::Ecp256, DhGroup::Ecp384}}};
  Config b = psk_config(Role::Responder);
  b.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Ecp384}}};
  SimNet net(share(std::move(a)), share(std::move(b)), f);
  net.start();
  const uint64_t spi = net.a().spi_i();
  // A group we do not offer (21), and the group we already use (31): ignored, no round spent.
  net.inject(0, forged_init_answer(spi, kInvalidKePayload, u16(21)));
  net.inject(0, forged_init_answer(spi, kInvalidKePayload, u16(31)));
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 2u);
  net.inject(0, forged_init_answer(spi, kInvalidKePayload, u16(19)));
  run_until_sent(net, 2);
  ASSERT_EQ(net.log(0).count<InvalidKeRetry>(), 1u);
  EXPECT_EQ(net.log(0).last<InvalidKeRetry>()->requested, DhGroup::Ecp256);
  net.inject(0, forged_init_answer(spi, kInvalidKePayload, u16(20)));
  run_until_sent(net, 3);
  ASSERT_EQ(net.log(0).count<InvalidKeRetry>(), 2u);
  EXPECT_EQ(net.log(0).last<InvalidKeRetry>()->requested, DhGroup::Ecp384);
  // Third: beyond the bound.
  net.inject(0, forged_init_answer(spi, kInvalidKePayload, u16(19)));
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 3u);
  const auto last_request = net.sent(0).back();
  run_until_sent(net, 4);
  EXPECT_EQ(net.sent(0).back(), last_request);
  EXPECT_EQ(net.log(0).count<InvalidKeRetry>(), 2u);
  net.faults().drop = 0.0;
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).last<IkeUp>()->group, DhGroup::Ecp384);
}

TEST(IkeForgedNotify, GenuineCookieAndInvalidKeStillWorkTogether) {
  // A loaded responder that wants another group: COOKIE first, then INVALID_KE_PAYLOAD.
  ResponderLimits limits;
  limits.cookie_threshold = 0;
  Config a = psk_config(Role::Initiator);
  a.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Curve25519, DhGroup::Ecp256}}};
  Config b = psk_config(Role::Responder);
  b.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Ecp256}}};
  SimNet net(share(std::move(a)), share(std::move(b)), {}, 1, limits);
  net.start();
  ASSERT_TRUE(net.run_until([&] { return both_up(net); }));
  EXPECT_EQ(net.log(0).count<CookieRetry>(), 1u);
  EXPECT_EQ(net.log(0).count<InvalidKeRetry>(), 1u);
  EXPECT_EQ(net.a().counters().rx_untrusted_notify, 0u);
  EXPECT_EQ(net.log(0).last<IkeUp>()->group, DhGroup::Ecp256);
}

}  // namespace
}  // namespace linkcrypt::ike::test
