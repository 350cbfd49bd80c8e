// Dataplane on loopback ring vdevs with a real worker lcore: the key-exchange send/punt round trip, start-up refusals.
#include "dataplane.h"
#include "eal_env.h"
#include "port_errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace linkcrypt::dpdk {
namespace {

DataplaneConfig ring_config(const std::string& tag, uint32_t plain_mtu) {
  DataplaneConfig c;
  // A net_ring vdev without arguments loops each TX queue back into its RX queue.
  c.plain.devargs = "net_ring_p" + tag;
  c.wire.devargs = "net_ring_w" + tag;
  c.plain_mtu = plain_mtu;  // ring ports have MTU 1500: 1468 + 32 fits
  c.mbuf_count = 2047;
  c.idle_sleep_us = 50;
  return c;
}

TEST(DataplaneTest, KeyExchangeFrameGoesOutOnTheWireAndComesBackPunted) {
  REQUIRE_EAL();
  Dataplane dp(*test::test_eal(), ring_config(std::to_string(getpid()) + "a", 1468));
  ASSERT_EQ(dp.worker_count(), 1u);
  dp.start();
  // An INFORMATIONAL response of the IKE SA {1, 2} (RFC 7296 3.1 header), which the control
  // plane says it keys with: the worker puts it on the priority ring.
  std::vector<uint8_t> frame(64, 0xAB);
  frame[12] = 0x88;
  frame[13] = 0xB5;
  const uint8_t ike_header[28] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 46, 0x20, 37, 0x20,
                                  0, 0, 0, 0, 0, 0, 0, 50};
  std::copy(std::begin(ike_header), std::end(ike_header), frame.begin() + 14);
  kxclass::KnownIkeSas known;
  known.sas[0] = {1, 2};
  known.count = 1;
  dp.set_known_ike_sas(known);
  ASSERT_TRUE(dp.send_kx(frame));
  std::vector<std::vector<uint8_t>> got;
  // Wait for the worker lcore to move it (completion, not timing, is what is checked).
  for (int i = 0; i < 2000 && got.empty(); ++i) {
    (void)dp.receive_kx(got, 8);
    if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  dp.stop();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], frame);
  const DataplaneCounters c = dp.counters();
  EXPECT_EQ(c.worker.kx_sent, 1u);
  EXPECT_EQ(c.worker.kx_punted, 1u);
  EXPECT_EQ(c.worker.kx_punted_priority, 1u);
  EXPECT_EQ(c.worker.wire_rx, 1u);
  EXPECT_EQ(c.secy.in_pkts_no_tag, 0u);
}

TEST(DataplaneTest, RefusesKeyExchangeFramesThatCannotBeSent) {
  REQUIRE_EAL();
  Dataplane dp(*test::test_eal(), ring_config(std::to_string(getpid()) + "b", 1468));
  EXPECT_FALSE(dp.send_kx(std::vector<uint8_t>(10, 0)));    // shorter than an Ethernet header
  EXPECT_FALSE(dp.send_kx(std::vector<uint8_t>(4000, 0)));  // beyond the wire MTU
}

TEST(DataplaneTest, RefusesAWireMtuWithoutRoomForSecTagAndIcv) {
  REQUIRE_EAL();
  try {
    Dataplane dp(*test::test_eal(), ring_config(std::to_string(getpid()) + "c", 1500));
    FAIL() << "accepted a 1500 wire MTU for 1500 plain frames";
  } catch (const PortMtuError& e) {
    EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
  }
}

TEST(DataplaneTest, NicPortsAreFollowedThroughEthdevAndTheTooLongLimitIsWireMtuPlus14) {
  REQUIRE_EAL();
  Dataplane dp(*test::test_eal(), ring_config(std::to_string(getpid()) + "d", 1468));
  // Ring vdevs have no kernel interface (if_index 0): rte_eth_link_get_nowait, not rtnetlink.
  for (const PortLinkState* s : {&dp.links().plain(), &dp.links().wire()}) {
    EXPECT_EQ(s->source, "ethdev");
    EXPECT_TRUE(s->known);
    EXPECT_TRUE(s->up) << s->role;
    EXPECT_EQ(s->mtu, 1500u);
  }
  EXPECT_EQ(dp.links().wire().role, "wire");
  EXPECT_TRUE(dp.poll_links().empty());  // nothing changed
  EXPECT_EQ(dp.macsec_overhead(), 32u);
  EXPECT_EQ(dp.counters().links.wire_link_down, 0u);
  // OutPktsTooLong: wire MTU + DA and SA; a SecY settings change keeps that limit.
  EXPECT_EQ(dp.sa().load()->cfg.max_protected_len, 1514u);
  secy::SecyConfig other;
  other.replay_window = 64;
  dp.set_secy_config(other);
  EXPECT_EQ(dp.sa().load()->cfg.max_protected_len, 1514u);
  EXPECT_EQ(dp.sa().load()->cfg.replay_window, 64u);
  // A key-exchange frame may be as long as the wire takes: MTU + DA, SA and EtherType.
  EXPECT_TRUE(dp.send_kx(std::vector<uint8_t>(1514, 0)));
  EXPECT_FALSE(dp.send_kx(std::vector<uint8_t>(1515, 0)));
}

}  // namespace
}  // namespace linkcrypt::dpdk
