// Two participants on a simulated wire with a fake clock: election, SAK distribution, make-before-break
// rotation, peer loss, replays and the typed mismatches.
#include "mka_participant.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

namespace linkcrypt::mka {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> bytes(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

ParticipantConfig config(uint8_t id, std::vector<uint8_t> cak = bytes(16, 0x11), std::vector<uint8_t> ckn = bytes(16, 0x22)) {
  ParticipantConfig c;
  c.ckn = std::move(ckn);
  c.cak = SecretBytes(cak);
  c.own_mac = {0x02, 0, 0, 0, 0, id};
  c.sci = {0x02, 0, 0, 0, 0, id, 0, 1};
  return c;
}

struct KeyLog {
  std::map<uint32_t, std::vector<uint8_t>> rx;  // KN -> SAK
  std::optional<uint32_t> tx;
  std::vector<std::string> order;  // "rx3", "tx3", "retire2"
  std::vector<Failure> failures;
  int peers_live = 0, peers_lost = 0;
  std::map<uint32_t, Salt> salts;                      // KN -> salt of its rx install
  std::map<uint32_t, std::vector<SsciOf>> peer_sscis;  // KN -> the peers' SSCIs of its rx install
  std::map<uint32_t, uint32_t> tx_ssci;                // KN -> our SSCI of its tx install
};

struct Wire;

struct Side {
  Participant p;
  KeyLog keys;
  bool connected = true;  // frames from this side reach the other
};

struct Wire {
  Wire(Side& x, Side& y) : a(x), b(y) {}
  Side& a;
  Side& b;
  TimePoint now{};
  std::deque<std::pair<Side*, std::vector<uint8_t>>> in_flight;  // (to, frame)
  std::vector<std::vector<uint8_t>> sent_by_a;

  void apply(Side& self, Side& other, std::vector<Event>& events) {
    for (auto& e : events) {
      if (auto* s = std::get_if<SendMkpdu>(&e)) {
        if (&self == &a) sent_by_a.push_back(s->frame);
        if (self.connected) in_flight.emplace_back(&other, std::move(s->frame));
      } else if (auto* r = std::get_if<InstallRxSak>(&e)) {
        self.keys.rx[r->id.kn] = std::vector<uint8_t>(r->sak.view().begin(), r->sak.view().end());
        self.keys.salts[r->id.kn] = r->salt;
        self.keys.peer_sscis[r->id.kn] = r->peer_sscis;
        self.keys.order.push_back("rx" + std::to_string(r->id.kn));
      } else if (auto* t = std::get_if<InstallTxSak>(&e)) {
        // Make before break: when we send with a key, the other side already receives with it.
        if (self.connected && other.connected) {
          EXPECT_TRUE(other.keys.rx.count(t->id.kn)) << "tx with KN " << t->id.kn << " before the peer receives with it";
          EXPECT_EQ(other.keys.rx[t->id.kn], std::vector<uint8_t>(t->sak.view().begin(), t->sak.view().end()));
        }
        self.keys.tx = t->id.kn;
        self.keys.tx_ssci[t->id.kn] = t->ssci;
        self.keys.order.push_back("tx" + std::to_string(t->id.kn));
      } else if (auto* x = std::get_if<RetireSak>(&e)) {
        // The peer no longer sends with a key we retire.
        if (self.connected && other.connected) {
          EXPECT_NE(other.keys.tx, std::optional<uint32_t>(x->id.kn));
        }
        self.keys.rx.erase(x->id.kn);
        if (self.keys.tx == x->id.kn) self.keys.tx.reset();
        self.keys.order.push_back("retire" + std::to_string(x->id.kn));
      } else if (auto* f = std::get_if<Failure>(&e)) {
        self.keys.failures.push_back(*f);
      } else if (std::holds_alternative<PeerLive>(e)) {
        ++self.keys.peers_live;
      } else if (std::holds_alternative<PeerLost>(e)) {
        ++self.keys.peers_lost;
      }
    }
    events.clear();
  }
  Side& other(Side& s) { return &s == &a ? b : a; }
  void deliver() {
    while (!in_flight.empty()) {
      auto [to, frame] = std::move(in_flight.front());
      in_flight.pop_front();
      std::vector<Event> ev;
      to->p.receive(frame, now, ev);
      apply(*to, other(*to), ev);
    }
  }
  void start() {
    for (Side* s : {&a, &b}) {
      std::vector<Event> ev;
      s->p.start(now, ev);
      apply(*s, other(*s), ev);
    }
    deliver();
  }
  void run_for(std::chrono::milliseconds d) {
    const TimePoint end = now + d;
    while (now < end) {
      now += 100ms;
      for (Side* s : {&a, &b}) {
        std::vector<Event> ev;
        if (s->p.next_deadline() <= now) s->p.tick(now, ev);
        apply(*s, other(*s), ev);
      }
      deliver();
    }
  }
};

Side make(ParticipantConfig c) {
  auto p = Participant::create(std::move(c));
  EXPECT_TRUE(p);
  return Side{std::move(*p), {}, true};
}

TEST(MkaParticipant, APairElectsTheLowerSciAndBothSendAndReceiveWithTheSameSak) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  EXPECT_TRUE(a.p.status().key_server);
  EXPECT_FALSE(b.p.status().key_server);
  ASSERT_TRUE(a.keys.tx && b.keys.tx);
  EXPECT_EQ(*a.keys.tx, *b.keys.tx);
  EXPECT_EQ(a.keys.rx.at(*a.keys.tx), b.keys.rx.at(*b.keys.tx));
  EXPECT_EQ(a.keys.rx.at(1).size(), 16u);
  EXPECT_EQ(a.keys.peers_live, 1);
  EXPECT_EQ(b.keys.peers_live, 1);
  EXPECT_TRUE(a.keys.failures.empty() && b.keys.failures.empty());
  const auto s = b.p.status();
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_TRUE(s.peers[0].live && s.peers[0].key_server);
  EXPECT_EQ(s.latest_key->ks_mi, a.p.status().mi);
}

TEST(MkaParticipant, PriorityBeatsSci) {
  auto ca = config(1), cb = config(2);
  cb.key_server_priority = 1;
  Side a = make(std::move(ca)), b = make(std::move(cb));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  EXPECT_FALSE(a.p.status().key_server);
  EXPECT_TRUE(b.p.status().key_server);
  ASSERT_TRUE(a.keys.tx && b.keys.tx);
}

TEST(MkaParticipant, RekeyIsMakeBeforeBreakAndRetiresTheOldKey) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  for (int i = 0; i < 5; ++i) {
    std::vector<Event> ev;
    ASSERT_TRUE(a.p.rekey(w.now, ev));
    w.apply(a, b, ev);
    w.deliver();
    w.run_for(1s);
  }
  EXPECT_EQ(a.keys.tx, std::optional<uint32_t>(6));
  EXPECT_EQ(b.keys.tx, std::optional<uint32_t>(6));
  EXPECT_EQ(a.keys.rx.size(), 1u);  // only the latest remains
  EXPECT_EQ(b.keys.rx.size(), 1u);
  std::vector<Event> none;
  EXPECT_FALSE(b.p.rekey(w.now, none)) << "only the key server rekeys";
  // On each side, a key is received with before it is sent with, and retired after its successor is sent with.
  for (const auto* k : {&a.keys, &b.keys}) {
    auto pos = [&](const std::string& s) {
      return std::find(k->order.begin(), k->order.end(), s) - k->order.begin();
    };
    for (int kn = 1; kn <= 6; ++kn) EXPECT_LT(pos("rx" + std::to_string(kn)), pos("tx" + std::to_string(kn)));
    for (int kn = 1; kn <= 5; ++kn) EXPECT_LT(pos("tx" + std::to_string(kn + 1)), pos("retire" + std::to_string(kn)));
  }
  // The AN advances with each key.
  EXPECT_EQ(a.p.status().latest_an, 5 % 4);
}

TEST(MkaParticipant, ARekeyIntervalRotatesOnItsOwn) {
  auto ca = config(1);
  ca.rekey_interval = 2s;
  Side a = make(std::move(ca)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(11s);
  ASSERT_TRUE(a.keys.tx);
  EXPECT_GE(*a.keys.tx, 5u);
  EXPECT_EQ(a.keys.tx, b.keys.tx);
}

TEST(MkaParticipant, AWrongCakIsCakMismatchAndNoKey) {
  Side a = make(config(1)), b = make(config(2, bytes(16, 0x12)));
  Wire w(a, b);
  w.start();
  w.run_for(5s);
  EXPECT_FALSE(a.keys.tx || b.keys.tx);
  EXPECT_TRUE(a.keys.rx.empty() && b.keys.rx.empty());
  ASSERT_EQ(a.keys.failures.size(), 1u);  // reported once, not once per MKPDU
  EXPECT_EQ(a.keys.failures[0].reason, MkaFailure::CakMismatch);
  EXPECT_NE(a.keys.failures[0].detail.find("ICV mismatch for CKN 2222"), std::string::npos);
  EXPECT_GT(a.p.status().counters.bad_icv, 1u);
}

TEST(MkaParticipant, AnotherCknIsCknMismatch) {
  Side a = make(config(1)), b = make(config(2, bytes(16, 0x11), bytes(8, 0x33)));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  EXPECT_FALSE(a.keys.tx || b.keys.tx);
  ASSERT_FALSE(a.keys.failures.empty());
  EXPECT_EQ(a.keys.failures[0].reason, MkaFailure::CknMismatch);
}

TEST(MkaParticipant, AnotherCipherIsCipherMismatchOnTheReceiver) {
  auto ca = config(1), cb = config(2);
  ca.cipher_suite = kGcmAes256;
  Side a = make(std::move(ca)), b = make(std::move(cb));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  EXPECT_FALSE(b.keys.tx);
  EXPECT_FALSE(a.keys.tx) << "the key server never sends with a key its peer did not install";
  ASSERT_FALSE(b.keys.failures.empty());
  EXPECT_EQ(b.keys.failures[0].reason, MkaFailure::CipherMismatch);
  EXPECT_NE(b.keys.failures[0].detail.find("GCM-AES-256"), std::string::npos);
}

// 802.1X-2020 Table 11-6: the Distributed SAK names the offset by code, 0 = no confidentiality,
// 1 = offset 0, 2 = 30, 3 = 50; the Basic Parameter Set says we can do all three (capability 3).
TEST(MkaParticipant, TheConfidentialityOffsetIsDistributedByItsCode) {
  for (const auto& [octets, code] : {std::pair{0u, 1u}, std::pair{30u, 2u}, std::pair{50u, 3u}}) {
    auto ca = config(1), cb = config(2);
    ca.confidentiality_offset = cb.confidentiality_offset = octets;
    Side a = make(std::move(ca)), b = make(std::move(cb));
    Wire w(a, b);
    w.start();
    w.run_for(3s);
    EXPECT_TRUE(a.keys.tx && b.keys.tx) << "offset " << octets;
    EXPECT_TRUE(a.keys.failures.empty() && b.keys.failures.empty());
    bool saw_distributed = false;
    for (const auto& f : w.sent_by_a) {
      DecodedMkpdu d;
      ASSERT_EQ(decode_mkpdu(f, d), MkpduError::None);
      EXPECT_EQ(d.pdu.basic.macsec_capability, 3u);
      if (d.pdu.distributed_sak) {
        saw_distributed = true;
        EXPECT_EQ(d.pdu.distributed_sak->confidentiality_offset, code) << "offset " << octets;
      }
    }
    EXPECT_TRUE(saw_distributed) << "the key server (a) distributed no SAK";
  }
}

TEST(MkaParticipant, AnotherConfidentialityOffsetIsCipherMismatch) {
  auto ca = config(1), cb = config(2);
  cb.confidentiality_offset = 30;
  Side a = make(std::move(ca)), b = make(std::move(cb));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  EXPECT_FALSE(a.keys.tx || b.keys.tx);
  ASSERT_FALSE(b.keys.failures.empty());
  EXPECT_EQ(b.keys.failures[0].reason, MkaFailure::CipherMismatch);
  EXPECT_NE(b.keys.failures[0].detail.find("confidentiality offset 0, we are configured for 30"), std::string::npos)
      << b.keys.failures[0].detail;
}

TEST(MkaParticipant, PeerLossFailsClosedAfterTheLifeTime) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_TRUE(a.keys.tx);
  b.connected = false;  // b goes silent; its last MKPDU (hello at 2 s or later) reached a
  w.run_for(4800ms);
  EXPECT_TRUE(a.keys.tx) << "still within the 6 s life time";
  w.run_for(3s);
  EXPECT_EQ(a.keys.peers_lost, 1);
  EXPECT_FALSE(a.keys.tx);
  EXPECT_TRUE(a.keys.rx.empty());
}

TEST(MkaParticipant, ARestartedPeerGetsANewSak) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  const auto first = a.keys.tx;
  Side b2 = make(config(2));  // b restarts: a new MI
  b.connected = false;
  Wire w2(a, b2);
  w2.now = w.now;
  w2.start();
  w2.run_for(8s);  // the old b expires; the new one is live
  ASSERT_TRUE(a.keys.tx && b2.keys.tx);
  EXPECT_NE(a.keys.tx, first);
  EXPECT_EQ(a.keys.rx.at(*a.keys.tx), b2.keys.rx.at(*b2.keys.tx));
}

TEST(MkaParticipant, AReplayedMkpduChangesNothing) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_FALSE(w.sent_by_a.empty());
  const auto before = b.p.status();
  std::vector<Event> ev;
  b.p.receive(w.sent_by_a.front(), w.now, ev);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(b.p.status().counters.replayed_mn, before.counters.replayed_mn + 1);
}

TEST(MkaParticipant, RefusesUnusableConfig) {
  EXPECT_FALSE(Participant::create(config(1, bytes(24, 1))));   // CAK of 192 bits
  EXPECT_FALSE(Participant::create(config(1, bytes(16, 1), {})));  // no CKN
  auto c = config(1);
  c.cipher_suite = 0x0080C20001000005;  // no such suite in 802.1AE Table 14-1
  EXPECT_FALSE(Participant::create(std::move(c)));
}

TEST(MkaWatchdog, AParticipantAloneRestartsAfterTheLifeTime) {
  Side a = make(config(1)), b = make(config(2));
  b.connected = false;
  a.connected = false;
  Wire w(a, b);
  w.start();
  const auto mi = a.p.status().mi;
  w.run_for(5900ms);
  EXPECT_EQ(a.p.status().counters.watchdog_restarts, 0u);
  w.run_for(300ms);
  EXPECT_EQ(a.p.status().counters.watchdog_restarts, 1u);
  EXPECT_NE(a.p.status().mi, mi) << "a clean restart is a new member";
  EXPECT_EQ(a.p.status().mn, 1u);
  w.run_for(6s);
  EXPECT_EQ(a.p.status().counters.watchdog_restarts, 2u);
}

TEST(MkaWatchdog, ALivePeerWithoutASakInUseRestartsCleanlyAndIsCounted) {
  // A cipher mismatch leaves both live but without a SAK: the stuck state the watchdog is for.
  auto ca = config(1), cb = config(2);
  ca.cipher_suite = kGcmAes256;
  Side a = make(std::move(ca)), b = make(std::move(cb));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_EQ(a.keys.peers_live, 1);
  ASSERT_FALSE(a.keys.rx.empty()) << "the key server installed its SAK for receive";
  w.run_for(3200ms);
  EXPECT_EQ(a.p.status().counters.watchdog_restarts, 1u);
  EXPECT_EQ(b.p.status().counters.watchdog_restarts, 1u);
  EXPECT_NE(std::find(a.keys.order.begin(), a.keys.order.end(), "retire1"), a.keys.order.end())
      << "the restart retired the SAK of the stuck CA";
  EXPECT_GE(a.keys.peers_lost, 1);
  EXPECT_EQ(b.keys.failures.size(), 1u) << "the cause is reported once, not once per restart";
  // After the restart the two find each other again as new members.
  EXPECT_GE(a.keys.peers_live, 2);
}

TEST(MkaWatchdog, AHealthyPairNeverRestarts) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(30s);
  EXPECT_EQ(a.p.status().counters.watchdog_restarts, 0u);
  EXPECT_EQ(b.p.status().counters.watchdog_restarts, 0u);
  EXPECT_EQ(a.keys.tx, std::optional<uint32_t>(1));
}

// The numbers below were computed apart from xpn.cpp, in Python, from the standard's wording
// as integers: salt = ((MI >> 64) ^ ((KN & 0xffff) << 16 | KN >> 16)) << 64 | (MI & (2^64 - 1)).
TEST(MkaXpn, SaltIsTheKeyServersMiXoredWithTheKeyNumber) {
  std::array<uint8_t, 12> mi{};
  for (size_t i = 0; i < mi.size(); ++i) mi[i] = static_cast<uint8_t>(0xA0 + i);
  EXPECT_EQ(xpn_salt(mi, 0x12345678),
            (Salt{0xf6, 0xd9, 0xb0, 0x97, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab}));
  const std::array<uint8_t, 12> mi2{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};
  EXPECT_EQ(xpn_salt(mi2, 1), (Salt{0x01, 0x22, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67}));
}

TEST(MkaXpn, SscisCountFromTheHighestSci) {
  const Sci low{0x02, 0, 0, 0, 0, 1, 0, 1}, mid{0x02, 0, 0, 0, 0, 1, 0, 2}, high{0x0a, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<Sci> peers{low, high};
  const auto a = assign_sscis(mid, peers);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], (SsciOf{high, 1}));
  EXPECT_EQ(a[1], (SsciOf{mid, 2}));  // the port number counts: 02:00:00:00:00:01/2 is above /1
  EXPECT_EQ(a[2], (SsciOf{low, 3}));
  EXPECT_EQ(ssci_of(a, low), 3u);
  EXPECT_EQ(ssci_of(a, Sci{}), 0u);
  EXPECT_EQ(pn_join(pn_high(0x123456789ABCDEF0ULL), pn_low(0x123456789ABCDEF0ULL)), 0x123456789ABCDEF0ULL);
}

TEST(MkaXpn, APairAgreesOnSaltAndSsciAndReportsA64BitLowestPn) {
  auto ca = config(1), cb = config(2);
  ca.cipher_suite = kGcmAesXpn256;
  cb.cipher_suite = kGcmAesXpn256;
  Side a = make(std::move(ca)), b = make(std::move(cb));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_TRUE(a.keys.tx && b.keys.tx);
  ASSERT_EQ(*a.keys.tx, 1u);
  EXPECT_EQ(a.keys.rx.at(1).size(), 32u);
  const auto ks_mi = a.p.status().mi;  // a (the lower SCI) is the key server
  EXPECT_EQ(a.keys.salts.at(1), xpn_salt(ks_mi, 1));
  EXPECT_EQ(b.keys.salts.at(1), a.keys.salts.at(1));
  // b's SCI (…02/1) is above a's (…01/1): b has SSCI 1, a SSCI 2; each receives with the other's.
  EXPECT_EQ(a.keys.tx_ssci.at(1), 2u);
  EXPECT_EQ(b.keys.tx_ssci.at(1), 1u);
  ASSERT_EQ(a.keys.peer_sscis.at(1).size(), 1u);
  EXPECT_EQ(a.keys.peer_sscis.at(1)[0], (SsciOf{{0x02, 0, 0, 0, 0, 2, 0, 1}, 1}));
  ASSERT_EQ(b.keys.peer_sscis.at(1).size(), 1u);
  EXPECT_EQ(b.keys.peer_sscis.at(1)[0], (SsciOf{{0x02, 0, 0, 0, 0, 1, 0, 1}, 2}));

  // 64-bit lowest PN: the low half in SAK Use, the high half in the XPN parameter set.
  std::vector<Event> ev;
  a.p.set_lowest_pn(*a.p.status().latest_key, 0x0000000500000007ULL, w.now, ev);
  w.apply(a, b, ev);
  w.sent_by_a.clear();
  w.run_for(2100ms);
  ASSERT_FALSE(w.sent_by_a.empty());
  DecodedMkpdu d;
  ASSERT_EQ(decode_mkpdu(w.sent_by_a.back(), d), MkpduError::None);
  ASSERT_TRUE(d.pdu.sak_use && d.pdu.xpn);
  EXPECT_EQ(d.pdu.sak_use->latest_lowest_pn, 7u);
  EXPECT_EQ(d.pdu.xpn->latest_lowest_pn_high, 5u);
  EXPECT_EQ(d.pdu.key_server_ssci, 2u) << "the key server names its own SSCI in the Live Peer List";
  ASSERT_EQ(b.p.status().peers.size(), 1u);
  EXPECT_EQ(b.p.status().peers[0].latest_lowest_pn, 0x0000000500000007ULL);
  // Past 2^32 is no exhaustion for XPN: the key stays.
  EXPECT_EQ(a.keys.tx, std::optional<uint32_t>(1));
  // Past 3/4 of 2^64 is: the key server distributes KN 2 and both move to it.
  ev.clear();
  a.p.set_lowest_pn(*a.p.status().latest_key, 0xC000000000000001ULL, w.now, ev);
  w.apply(a, b, ev);
  w.deliver();
  w.run_for(1s);
  EXPECT_EQ(a.keys.tx, std::optional<uint32_t>(2));
  EXPECT_EQ(b.keys.tx, std::optional<uint32_t>(2));
  EXPECT_EQ(b.keys.salts.at(2), xpn_salt(ks_mi, 2));
}

TEST(MkaXpn, ThirtyTwoBitSuitesRekeyAtThreeQuartersOfTheirPnSpace) {
  Side a = make(config(1)), b = make(config(2));
  Wire w(a, b);
  w.start();
  w.run_for(3s);
  ASSERT_EQ(a.keys.tx, std::optional<uint32_t>(1));
  std::vector<Event> ev;
  a.p.set_lowest_pn(*a.p.status().latest_key, 0xC0000000ULL, w.now, ev);
  EXPECT_TRUE(ev.empty()) << "at the mark, not past it";
  a.p.set_lowest_pn(*a.p.status().latest_key, 0xC0000001ULL, w.now, ev);
  w.apply(a, b, ev);
  w.deliver();
  w.run_for(1s);
  EXPECT_EQ(a.keys.tx, std::optional<uint32_t>(2));
  EXPECT_EQ(b.keys.tx, std::optional<uint32_t>(2));
  EXPECT_EQ(a.keys.salts.at(2), Salt{}) << "no salt outside XPN";
  EXPECT_EQ(a.keys.tx_ssci.at(2), 0u);
  DecodedMkpdu d;
  ASSERT_EQ(decode_mkpdu(w.sent_by_a.back(), d), MkpduError::None);
  EXPECT_FALSE(d.pdu.xpn);
}

}  // namespace
}  // namespace linkcrypt::mka
