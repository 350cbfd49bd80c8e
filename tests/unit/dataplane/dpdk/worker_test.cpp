// The worker loop on real ethdevs backed by rte_rings: round trip, must-secure, punting, full queues, mbuf accounting.
#include "eal_env.h"
#include "handles.h"
#include "port.h"
#include "port_errors.h"
#include "sa_control.h"
#include "worker.h"

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <vector>

namespace linkcrypt::dpdk {
namespace {

constexpr secy::Sci kSci = 0x020000000a000001ull;
const std::array<uint8_t, 16> kSak = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

// A port whose RX and TX are two rings the test feeds and drains directly.
struct RingPort {
  RingPtr rx;
  RingPtr tx;
  uint16_t id = 0;
};

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_EAL();
    static int seq = 0;
    const std::string tag = std::to_string(getpid()) + "_" + std::to_string(seq++);
    pool_ = make_pktmbuf_pool("wt_pool_" + tag, 2047, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    plain_ = make_port("wt_p_" + tag, 1024);
    wire_ = make_port("wt_w_" + tag, wire_tx_ring_len_);
    punt_ = make_mbuf_ring("wt_punt_" + tag, punt_ring_len_, 0, true);
    punt_prio_ = make_mbuf_ring("wt_puntp_" + tag, punt_ring_len_, 0, true);
    kxtx_ = make_mbuf_ring("wt_kx_" + tag, 64, 0, false);
    rcu_ = std::make_unique<RcuDomain>(1);
    sa_ = std::make_unique<SaControl>(*rcu_, secy::SecyConfig{});
    engine_ = secy::make_engine(secy::EngineKind::IpsecMb, 0);
    ctx_.index = 0;
    ctx_.plain_port = plain_.id;
    ctx_.wire_port = wire_.id;
    ctx_.sa = sa_.get();
    ctx_.rcu = rcu_.get();
    ctx_.engine = engine_.get();
    ctx_.punt_to_control = punt_.get();
    ctx_.punt_priority = punt_prio_.get();
    known_ = std::make_unique<Published<kxclass::KnownIkeSas>>(*rcu_, std::make_unique<const kxclass::KnownIkeSas>());
    ctx_.known_ike_sas = known_.get();
    ctx_.new_sa_bucket = kxclass::TokenBucket(new_sa_rate_, new_sa_rate_, rte_get_tsc_hz(), rte_rdtsc());
    ctx_.control_to_wire = kxtx_.get();
    ctx_.counters = &counters_;
    ctx_.secy_counters = &secy_counters_;
    ctx_.stop = &stop_;
    initial_free_ = rte_mempool_avail_count(pool_.get());
  }
  void TearDown() override {
    if (test::test_eal() == nullptr) return;
    for (RingPort* p : {&plain_, &wire_}) {
      (void)rte_eth_dev_stop(p->id);
      (void)rte_eth_dev_close(p->id);
    }
  }

  RingPort make_port(const std::string& name, uint32_t tx_len) {
    RingPort p;
    p.rx = make_mbuf_ring(name + "_rx", 1024, 0, true);
    p.tx = make_mbuf_ring(name + "_tx", tx_len, 0, true);
    rte_ring* rx = p.rx.get();
    rte_ring* tx = p.tx.get();
    const int id = rte_eth_from_rings(name.c_str(), &rx, 1, &tx, 1, 0);
    if (id < 0) throw std::runtime_error("rte_eth_from_rings failed");
    p.id = static_cast<uint16_t>(id);
    rte_eth_conf conf{};
    EXPECT_EQ(rte_eth_dev_configure(p.id, 1, 1, &conf), 0);
    EXPECT_EQ(rte_eth_rx_queue_setup(p.id, 0, 1024, 0, nullptr, pool_.get()), 0);
    EXPECT_EQ(rte_eth_tx_queue_setup(p.id, 0, 1024, 0, nullptr), 0);
    EXPECT_EQ(rte_eth_dev_start(p.id), 0);
    return p;
  }

  void keys(bool tx, bool rx) {
    if (tx) {
      secy::TxSaParams p;
      p.suite = secy::CipherSuite::GcmAesXpn128;
      p.sci = kSci;
      p.xpn.ssci = 1;
      sa_->install_tx_sa(p, kSak, true);
    }
    if (rx) {
      secy::RxSaParams p;
      p.suite = secy::CipherSuite::GcmAesXpn128;
      p.xpn.ssci = 1;
      sa_->install_rx_sa(kSci, p, kSak);  // loopback: the wire output validates against it
    }
  }

  std::vector<uint8_t> make_bytes(uint32_t len, uint16_t ethertype, uint8_t seed) {
    std::vector<uint8_t> f(len);
    for (uint32_t i = 0; i < len; ++i) f[i] = static_cast<uint8_t>(seed * 31 + i);
    if (len >= 14) {
      f[12] = static_cast<uint8_t>(ethertype >> 8);
      f[13] = static_cast<uint8_t>(ethertype);
    }
    return f;
  }
  // A key-exchange frame with a well-formed IKEv2 header (RFC 7296 3.1) and a 32-octet body.
  std::vector<uint8_t> ike_frame(uint64_t spi_i, uint64_t spi_r, uint8_t exchange, uint8_t flags,
                                 uint32_t message_id) {
    std::vector<uint8_t> f = make_bytes(14, kDefaultKxEtherType, 1);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<uint8_t>(spi_i >> (8 * i)));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<uint8_t>(spi_r >> (8 * i)));
    f.insert(f.end(), {33, 0x20, exchange, flags});
    for (int i = 3; i >= 0; --i) f.push_back(static_cast<uint8_t>(message_id >> (8 * i)));
    f.insert(f.end(), {0, 0, 0, 60});
    f.resize(14 + 60, 0xAB);
    return f;
  }
  std::vector<uint8_t> init_frame(uint64_t spi_i) { return ike_frame(spi_i, 0, 34, 0x08, 0); }
  rte_mbuf* mbuf_of(const std::vector<uint8_t>& bytes) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_.get());
    char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(bytes.size()));
    std::memcpy(p, bytes.data(), bytes.size());
    return m;
  }
  void feed(rte_ring* r, const std::vector<std::vector<uint8_t>>& frames) {
    for (const auto& f : frames) ASSERT_EQ(rte_ring_enqueue(r, mbuf_of(f)), 0);
  }
  // Drains a ring, returning (and freeing) the frames' bytes.
  std::vector<std::vector<uint8_t>> drain(rte_ring* r) {
    std::vector<std::vector<uint8_t>> out;
    void* obj = nullptr;
    while (rte_ring_dequeue(r, &obj) == 0) {
      auto* m = static_cast<rte_mbuf*>(obj);
      auto* p = rte_pktmbuf_mtod(m, uint8_t*);
      out.emplace_back(p, p + rte_pktmbuf_pkt_len(m));
      rte_pktmbuf_free(m);
    }
    return out;
  }
  // With a worker lcore running worker_main: loops the wire port's output back to its input and
  // collects the plain port's output until `want` frames came out, or until none can come any
  // more: every ring is empty and the worker has finished a loop iteration since (an RCU grace
  // period), so it holds no frame either. Returns how many came out. No time bound: a worker
  // descheduled for a while on a loaded machine makes this slower, never a lost frame.
  size_t loop_back_until_settled(size_t want) {
    const auto empty = [](const RingPtr& r) { return rte_ring_empty(r.get()) != 0; };
    size_t got = 0;
    for (;;) {
      void* obj = nullptr;
      while (rte_ring_dequeue(wire_.tx.get(), &obj) == 0) {
        if (rte_ring_enqueue(wire_.rx.get(), obj) != 0) {
          ADD_FAILURE() << "wire loop-back ring full";
          rte_pktmbuf_free(static_cast<rte_mbuf*>(obj));
        }
      }
      got += drain(plain_.tx.get()).size();
      if (got >= want) return got;
      if (empty(plain_.rx) && empty(wire_.rx) && empty(wire_.tx) && empty(plain_.tx)) {
        rcu_->wait_grace_period();
        if (empty(plain_.rx) && empty(wire_.rx) && empty(wire_.tx) && empty(plain_.tx)) return got;
      }
    }
  }
  // Every mbuf was sent or freed exactly once: the pool is whole again (a double free would
  // overfill it; a leak would leave it short).
  void expect_pool_whole() { EXPECT_EQ(rte_mempool_avail_count(pool_.get()), initial_free_); }

  uint32_t wire_tx_ring_len_ = 1024;
  uint32_t punt_ring_len_ = 1024;
  uint32_t new_sa_rate_ = 1000000;  // high enough that only the tests that want it hit the bucket
  MempoolPtr pool_;
  RingPort plain_, wire_;
  RingPtr punt_, punt_prio_, kxtx_;
  std::unique_ptr<RcuDomain> rcu_;
  std::unique_ptr<Published<kxclass::KnownIkeSas>> known_;
  std::unique_ptr<SaControl> sa_;
  std::unique_ptr<secy::CipherEngine> engine_;
  WorkerCounters counters_;
  secy::SecyCounters secy_counters_;
  std::atomic<bool> stop_{false};
  WorkerContext ctx_;
  unsigned initial_free_ = 0;
};

TEST_F(WorkerTest, PlainFramesRoundTripThroughProtectAndValidate) {
  keys(true, true);
  std::vector<std::vector<uint8_t>> sent;
  for (uint8_t i = 0; i < 32; ++i) sent.push_back(make_bytes(60 + i * 45, 0x0800, i));
  feed(plain_.rx.get(), sent);
  EXPECT_EQ(worker_poll_once(ctx_), 32u);
  auto wire = drain(wire_.tx.get());
  ASSERT_EQ(wire.size(), 32u);
  for (size_t i = 0; i < wire.size(); ++i) {
    EXPECT_EQ(wire[i].size(), sent[i].size() + 32);
    EXPECT_EQ(wire[i][12], 0x88);
    EXPECT_EQ(wire[i][13], 0xE5);
    EXPECT_TRUE(std::equal(sent[i].begin(), sent[i].begin() + 12, wire[i].begin()));  // MACs kept
    EXPECT_FALSE(std::equal(sent[i].begin() + 14, sent[i].end(), wire[i].begin() + 30));  // encrypted
  }
  feed(wire_.rx.get(), wire);
  EXPECT_EQ(worker_poll_once(ctx_), 32u);
  const auto plain = drain(plain_.tx.get());
  EXPECT_EQ(plain, sent);
  EXPECT_EQ(counters_.plain_rx, 32u);
  EXPECT_EQ(counters_.wire_tx, 32u);
  EXPECT_EQ(counters_.wire_rx, 32u);
  EXPECT_EQ(counters_.plain_tx, 32u);
  EXPECT_EQ(counters_.protect_frames, 32u);
  EXPECT_EQ(counters_.validate_frames, 32u);
  EXPECT_GT(counters_.protect_cycles, 0u);
  EXPECT_EQ(sa_->report().rx_sa.at(0).counters.in_pkts_ok, 32u);
  expect_pool_whole();
}

TEST_F(WorkerTest, NoTransmitSaMeansNothingLeavesAndEveryFrameIsCounted) {
  keys(false, true);
  feed(plain_.rx.get(), {make_bytes(100, 0x0800, 1), make_bytes(60, 0x0806, 2), make_bytes(1514, 0x86DD, 3)});
  EXPECT_EQ(worker_poll_once(ctx_), 3u);
  EXPECT_TRUE(drain(wire_.tx.get()).empty());
  EXPECT_EQ(secy_counters_.tx_no_sa, 3u);
  EXPECT_EQ(counters_.wire_tx, 0u);
  expect_pool_whole();
}

TEST_F(WorkerTest, CleartextOnTheWireIsDroppedUnderStrictValidation) {
  keys(true, true);
  feed(wire_.rx.get(), {make_bytes(100, 0x0800, 1), make_bytes(60, 0x0806, 2), make_bytes(10, 0x0800, 3)});
  EXPECT_EQ(worker_poll_once(ctx_), 3u);
  EXPECT_TRUE(drain(plain_.tx.get()).empty());
  EXPECT_EQ(secy_counters_.in_pkts_no_tag + secy_counters_.in_pkts_bad_tag, 3u);
  EXPECT_EQ(counters_.plain_tx, 0u);
  expect_pool_whole();
}

TEST_F(WorkerTest, TamperedFrameIsNotDelivered) {
  keys(true, true);
  feed(plain_.rx.get(), {make_bytes(200, 0x0800, 1)});
  (void)worker_poll_once(ctx_);
  auto wire = drain(wire_.tx.get());
  ASSERT_EQ(wire.size(), 1u);
  wire[0][100] ^= 0x40;
  feed(wire_.rx.get(), wire);
  (void)worker_poll_once(ctx_);
  EXPECT_TRUE(drain(plain_.tx.get()).empty());
  EXPECT_EQ(sa_->report().rx_sa.at(0).counters.in_pkts_not_valid, 1u);
  expect_pool_whole();
}

TEST_F(WorkerTest, KeyExchangeFramesArePuntedNotValidated) {
  keys(true, true);
  const auto kx = init_frame(4);
  feed(wire_.rx.get(), {kx, make_bytes(80, 0x0800, 5)});
  EXPECT_EQ(worker_poll_once(ctx_), 2u);
  const auto punted = drain(punt_.get());
  ASSERT_EQ(punted.size(), 1u);
  EXPECT_EQ(punted[0], kx);
  EXPECT_EQ(counters_.kx_punted, 1u);
  EXPECT_EQ(secy_counters_.in_pkts_no_tag, 1u);  // the other one
  EXPECT_TRUE(drain(plain_.tx.get()).empty());
  expect_pool_whole();
}

// keying = mka (docs/mka.md): EAPOL from the wire goes to the control plane, never to the SecY;
// EAPOL from the plain port is neither protected nor sent, and is counted.
TEST_F(WorkerTest, MkaKeyingPuntsWireEapolAndDropsPlainEapol) {
  keys(true, true);
  auto eapol_ring = make_mbuf_ring("wt_punte_" + std::to_string(getpid()), 64, 0, true);
  ctx_.eapol_ethertype = 0x888E;
  ctx_.punt_eapol = eapol_ring.get();
  const auto mkpdu = make_bytes(120, 0x888E, 7);
  feed(wire_.rx.get(), {mkpdu, make_bytes(80, 0x0800, 8)});
  feed(plain_.rx.get(), {make_bytes(100, 0x888E, 9), make_bytes(100, 0x0800, 10)});
  EXPECT_EQ(worker_poll_once(ctx_), 4u);
  const auto punted = drain(eapol_ring.get());
  ASSERT_EQ(punted.size(), 1u);
  EXPECT_EQ(punted[0], mkpdu);
  EXPECT_EQ(counters_.eapol_punted, 1u);
  EXPECT_EQ(secy_counters_.in_pkts_no_tag, 1u);     // the wire's cleartext IPv4 frame
  EXPECT_EQ(counters_.plain_eapol_dropped, 1u);
  EXPECT_EQ(drain(wire_.tx.get()).size(), 1u);       // only the IPv4 frame, protected
  EXPECT_TRUE(drain(punt_.get()).empty());
  EXPECT_TRUE(drain(plain_.tx.get()).empty());
  expect_pool_whole();
}

TEST_F(WorkerTest, ControlPlaneFramesGoOutOnTheWireUnchanged) {
  const auto kx = make_bytes(90, kDefaultKxEtherType, 6);
  feed(kxtx_.get(), {kx});
  (void)worker_poll_once(ctx_);
  const auto wire = drain(wire_.tx.get());
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0], kx);
  EXPECT_EQ(counters_.kx_sent, 1u);
  expect_pool_whole();
}

TEST_F(WorkerTest, TooLongForTheWireIsDroppedBeforeAPnIsSpent) {
  keys(true, false);
  secy::SecyConfig cfg;
  cfg.max_protected_len = 1500 + 14;  // wire MTU 1500: DA and SA are the only header outside
  sa_->set_config(cfg);
  // 1482 + 32 = 1514 fits; 1483 (e.g. a tagged frame one tag too many) does not.
  feed(plain_.rx.get(), {make_bytes(1483, 0x8100, 1), make_bytes(1482, 0x8100, 2)});
  EXPECT_EQ(worker_poll_once(ctx_), 2u);
  const auto wire = drain(wire_.tx.get());
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0].size(), 1514u);
  EXPECT_EQ(secy_counters_.out_pkts_too_long, 1u);
  EXPECT_EQ(counters_.wire_tx, 1u);
  const auto rep = sa_->report();
  EXPECT_EQ(rep.tx.at(0).next_pn, 2u);  // one PN, for the frame that went out
  EXPECT_EQ(rep.tx.at(0).counters.out_pkts_encrypted, 1u);
  expect_pool_whole();
}

TEST_F(WorkerTest, WireDownDropsPlainFramesBeforeProtection) {
  keys(true, false);
  std::atomic<bool> down{true};
  ctx_.wire_down = &down;
  feed(plain_.rx.get(), {make_bytes(100, 0x0800, 1), make_bytes(60, 0x0806, 2)});
  EXPECT_EQ(worker_poll_once(ctx_), 2u);
  EXPECT_TRUE(drain(wire_.tx.get()).empty());
  EXPECT_EQ(counters_.wire_down_drops, 2u);
  EXPECT_EQ(counters_.wire_tx, 0u);
  EXPECT_EQ(sa_->report().tx.at(0).next_pn, 1u);  // no PN spent on frames the wire cannot carry
  down = false;
  feed(plain_.rx.get(), {make_bytes(100, 0x0800, 3)});
  EXPECT_EQ(worker_poll_once(ctx_), 1u);
  EXPECT_EQ(drain(wire_.tx.get()).size(), 1u);
  EXPECT_EQ(counters_.wire_down_drops, 2u);
  expect_pool_whole();
}

class WorkerSmallRingsTest : public WorkerTest {
 protected:
  void SetUp() override {
    wire_tx_ring_len_ = 8;  // 7 usable slots
    punt_ring_len_ = 4;     // 3 usable slots
    WorkerTest::SetUp();
  }
};

TEST_F(WorkerSmallRingsTest, FullWireQueueFreesAndCountsTheRest) {
  keys(true, false);
  std::vector<std::vector<uint8_t>> sent;
  for (uint8_t i = 0; i < 32; ++i) sent.push_back(make_bytes(64, 0x0800, i));
  feed(plain_.rx.get(), sent);
  (void)worker_poll_once(ctx_);
  EXPECT_EQ(drain(wire_.tx.get()).size(), 7u);
  EXPECT_EQ(counters_.wire_tx, 7u);
  EXPECT_EQ(counters_.wire_tx_full, 25u);
  expect_pool_whole();
}

TEST_F(WorkerSmallRingsTest, FullPuntRingFreesAndCountsTheRest) {
  std::vector<std::vector<uint8_t>> kx;
  for (uint8_t i = 0; i < 10; ++i) kx.push_back(init_frame(i + 1));
  feed(wire_.rx.get(), kx);
  (void)worker_poll_once(ctx_);
  EXPECT_EQ(drain(punt_.get()).size(), 3u);
  EXPECT_EQ(counters_.kx_punted, 3u);
  EXPECT_EQ(counters_.kx_punt_full, 7u);
  expect_pool_whole();
}

TEST_F(WorkerSmallRingsTest, FullPriorityRingFreesAndCountsTheRest) {
  auto table = std::make_unique<kxclass::KnownIkeSas>();
  table->sas[0] = {7, 8};
  table->count = 1;
  known_->publish(std::move(table));
  std::vector<std::vector<uint8_t>> kx;
  for (uint32_t i = 0; i < 10; ++i) kx.push_back(ike_frame(7, 8, 37, 0x08, i));
  feed(wire_.rx.get(), kx);
  (void)worker_poll_once(ctx_);
  EXPECT_EQ(drain(punt_prio_.get()).size(), 3u);
  EXPECT_EQ(counters_.kx_punted_priority, 3u);
  EXPECT_EQ(counters_.kx_priority_full, 7u);
  expect_pool_whole();
}

// Issue 15: the established IKE SA's frames take the priority ring, new sessions the low one
// (after the token bucket), and junk on the key-exchange EtherType dies in the worker.
TEST_F(WorkerTest, KeyExchangeFramesAreSortedByIkeSa) {
  auto table = std::make_unique<kxclass::KnownIkeSas>();
  table->sas[0] = {0x1111, 0x2222};
  table->count = 1;
  known_->publish(std::move(table));
  const auto liveness = ike_frame(0x1111, 0x2222, 37, 0x20, 3);
  const auto replayed_init = init_frame(0x1111);  // the established SA's own INIT, replayed
  const auto other_auth = ike_frame(0x3333, 0x4444, 35, 0x08, 1);
  auto junk = make_bytes(80, kDefaultKxEtherType, 9);
  junk[14 + 17] = 0x10;  // IKEv1
  feed(wire_.rx.get(), {replayed_init, junk, liveness, other_auth, make_bytes(20, kDefaultKxEtherType, 1)});
  EXPECT_EQ(worker_poll_once(ctx_), 5u);
  const auto prio = drain(punt_prio_.get());
  ASSERT_EQ(prio.size(), 1u);
  EXPECT_EQ(prio[0], liveness);
  const auto low = drain(punt_.get());
  ASSERT_EQ(low.size(), 2u);
  EXPECT_EQ(low[0], replayed_init);
  EXPECT_EQ(low[1], other_auth);
  EXPECT_EQ(counters_.kx_junk, 2u);
  EXPECT_EQ(counters_.kx_punted, 3u);
  EXPECT_EQ(counters_.kx_punted_priority, 1u);
  EXPECT_EQ(counters_.kx_rate_limited, 0u);
  expect_pool_whole();
}

class WorkerRateLimitTest : public WorkerTest {
 protected:
  void SetUp() override {
    new_sa_rate_ = 1;  // burst 1, then one a second: a burst of 32 INITs admits one
    WorkerTest::SetUp();
  }
};

TEST_F(WorkerRateLimitTest, NewSessionsOverTheRateAreDroppedAndCounted) {
  auto table = std::make_unique<kxclass::KnownIkeSas>();
  table->sas[0] = {0x1111, 0x2222};
  table->count = 1;
  known_->publish(std::move(table));
  std::vector<std::vector<uint8_t>> kx;
  for (uint32_t i = 0; i < 31; ++i) kx.push_back(init_frame(100 + i));
  kx.push_back(ike_frame(0x1111, 0x2222, 37, 0x08, 9));  // never rate-limited
  feed(wire_.rx.get(), kx);
  (void)worker_poll_once(ctx_);
  EXPECT_EQ(drain(punt_.get()).size(), 1u);
  EXPECT_EQ(drain(punt_prio_.get()).size(), 1u);
  EXPECT_EQ(counters_.kx_rate_limited, 30u);
  expect_pool_whole();
}

// A real worker lcore runs worker_main while the control plane keeps publishing new snapshots
// (switching the transmit AN, rebuilding the receive table): no frame is lost or misjudged, the
// counters carried across snapshots add up, and every mbuf comes back to the pool.
TEST_F(WorkerTest, SnapshotsChangeUnderARunningWorkerWithoutLosingAFrame) {
  const auto workers = test::test_eal()->worker_lcores();
  if (workers.empty()) GTEST_SKIP() << "needs a second lcore";
  for (uint8_t an = 0; an < 2; ++an) {
    secy::TxSaParams tp;
    tp.suite = secy::CipherSuite::GcmAesXpn128;
    tp.an = an;
    tp.sci = kSci;
    tp.xpn.ssci = 1;
    sa_->install_tx_sa(tp, kSak, an == 0);
    secy::RxSaParams rp;
    rp.suite = secy::CipherSuite::GcmAesXpn128;
    rp.an = an;
    rp.xpn.ssci = 1;
    sa_->install_rx_sa(kSci, rp, kSak);
  }
  ctx_.idle_sleep_us = 0;
  ASSERT_EQ(rte_eal_remote_launch(worker_main, &ctx_, workers[0]), 0);
  constexpr int kRounds = 200;
  size_t sent = 0, delivered = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::vector<uint8_t>> frames;
    for (uint8_t i = 0; i < 8; ++i) frames.push_back(make_bytes(64 + i * 100, 0x0800, static_cast<uint8_t>(round + i)));
    feed(plain_.rx.get(), frames);
    sent += frames.size();
    // Publish while frames are in flight: AN switch, and a full receive-table rebuild.
    ASSERT_TRUE(sa_->switch_tx_an(static_cast<uint8_t>(round % 2)));
    secy::SecyConfig cfg;
    cfg.replay_window = static_cast<uint32_t>(round % 3);
    sa_->set_config(cfg);
    const size_t got = loop_back_until_settled(frames.size());
    EXPECT_EQ(got, frames.size()) << "round " << round;
    delivered += got;
  }
  stop_ = true;
  rte_eal_wait_lcore(workers[0]);
  EXPECT_EQ(delivered, sent) << "TxNoSa " << secy_counters_.tx_no_sa << ", InPktsNotUsingSA "
                             << sa_->report().rx_sc.at(0).counters.in_pkts_not_using_sa;
  const SaReport r = sa_->report();
  ASSERT_EQ(r.rx_sc.size(), 1u);
  EXPECT_EQ(r.rx_sc[0].counters.sa_sum.in_pkts_ok, sent);  // carried across ~400 snapshots
  EXPECT_EQ(r.rx_sc[0].counters.sa_sum.in_pkts_late + r.rx_sc[0].counters.sa_sum.in_pkts_not_valid, 0u);
  EXPECT_EQ(r.tx_sc.out_pkts_encrypted, sent);
  EXPECT_EQ(counters_.plain_rx, sent);
  EXPECT_EQ(sa_->pending(), 0u);
  expect_pool_whole();
}

TEST(PortTest, RefusesAWirePortWhoseMtuCannotCarryTheOverhead) {
  REQUIRE_EAL();
  auto pool = make_pktmbuf_pool("pt_pool_" + std::to_string(getpid()), 1023, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  PortConfig cfg;
  cfg.role = "wire";
  cfg.devargs = "net_ring_mtu" + std::to_string(getpid());
  cfg.required_mtu = 1532;  // ring ports stay at MTU 1500
  try {
    Port port(cfg, pool.get());
    FAIL() << "a 1500-octet wire port was accepted for 1500-octet plain frames";
  } catch (const PortMtuError& e) {  // typed: linkcryptd exits 2 on it without reading the text
    const std::string msg = e.what();
    EXPECT_NE(msg.find("wire port"), std::string::npos) << msg;
    EXPECT_NE(msg.find("MTU 1500 is too small"), std::string::npos) << msg;
  }
}

TEST(PortTest, RefusesDeviceArgumentsThatMatchNoPort) {
  REQUIRE_EAL();
  auto pool = make_pktmbuf_pool("pt_pool2_" + std::to_string(getpid()), 1023, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  PortConfig cfg;
  cfg.role = "plain";
  cfg.devargs = "net_no_such_driver0";
  EXPECT_THROW(Port(cfg, pool.get()), std::runtime_error);
}

TEST(PortTest, StartsAndStopsAVdevPort) {
  REQUIRE_EAL();
  auto pool = make_pktmbuf_pool("pt_pool3_" + std::to_string(getpid()), 1023, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  PortConfig cfg;
  cfg.role = "plain";
  cfg.devargs = "net_null_pt" + std::to_string(getpid());
  cfg.required_mtu = 1500;
  Port port(cfg, pool.get());
  EXPECT_TRUE(rte_eth_dev_is_valid_port(port.id()));
  EXPECT_GE(port.mtu(), 1500u);
}

}  // namespace
}  // namespace linkcrypt::dpdk
