// The harness alone: one worker lcore forwarding port 0 RX to port 1 TX, no MACsec. Its packet
// rate is printed beside linkcryptd's validate rate so the harness's own ceiling is visible.
// Usage: bench_dataplane_forward SECONDS RX_DEVARGS TX_DEVARGS -- EAL args (two lcores)
#include "eal.h"
#include "handles.h"
#include "port.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

struct Ctx {
  uint16_t rx_port;
  uint16_t tx_port;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> octets{0};
};

int forward(void* arg) {
  auto& c = *static_cast<Ctx*>(arg);
  rte_mbuf* pkts[32];
  uint64_t frames = 0, octets = 0;
  while (!c.stop.load(std::memory_order_relaxed)) {
    const uint16_t n = rte_eth_rx_burst(c.rx_port, 0, pkts, 32);
    if (n == 0) continue;
    for (uint16_t i = 0; i < n; ++i) octets += rte_pktmbuf_pkt_len(pkts[i]);
    const uint16_t sent = rte_eth_tx_burst(c.tx_port, 0, pkts, n);
    if (sent < n) rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    frames += n;
    c.frames.store(frames, std::memory_order_relaxed);
    c.octets.store(octets, std::memory_order_relaxed);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s SECONDS RX_DEVARGS TX_DEVARGS -- EAL args\n", argv[0]);
    return 2;
  }
  try {
    std::vector<std::string> eal_args(argv + 5, argv + argc);
    linkcrypt::dpdk::Eal eal(eal_args);
    auto pool = linkcrypt::dpdk::make_pktmbuf_pool("fwd_pool_" + std::to_string(getpid()), 16383,
                                                    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    linkcrypt::dpdk::PortConfig rx_cfg, tx_cfg;
    rx_cfg.role = "rx";
    rx_cfg.devargs = argv[2];
    rx_cfg.required_mtu = 0;
    tx_cfg.role = "tx";
    tx_cfg.devargs = argv[3];
    tx_cfg.required_mtu = 0;
    linkcrypt::dpdk::Port rx(rx_cfg, pool.get());
    linkcrypt::dpdk::Port tx(tx_cfg, pool.get());
    const auto workers = eal.worker_lcores();
    if (workers.empty()) throw std::runtime_error("needs two lcores");
    Ctx ctx;
    ctx.rx_port = rx.id();
    ctx.tx_port = tx.id();
    rte_eal_remote_launch(forward, &ctx, workers[0]);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t f0 = ctx.frames.load(), o0 = ctx.octets.load();
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(argv[1])));
    const uint64_t f1 = ctx.frames.load(), o1 = ctx.octets.load();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ctx.stop = true;
    rte_eal_mp_wait_lcore();
    std::printf("forward %.3f Mpps %.3f Gb/s\n", double(f1 - f0) / secs / 1e6, double(o1 - o0) * 8 / secs / 1e9);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dataplane_forward: %s\n", e.what());
    return 1;
  }
}
