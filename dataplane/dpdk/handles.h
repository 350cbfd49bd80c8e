// One owning pointer type per DPDK handle (mempool, ring), each with its deleter declared once.
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <string>

namespace linkcrypt::dpdk {

struct MempoolDeleter {
  void operator()(rte_mempool* mp) const { rte_mempool_free(mp); }
};
using MempoolPtr = std::unique_ptr<rte_mempool, MempoolDeleter>;

struct RingDeleter {
  void operator()(rte_ring* r) const {
    // A ring may still hold mbufs when the daemon stops: free them so none leaks.
    void* obj = nullptr;
    while (rte_ring_dequeue(r, &obj) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(obj));
    rte_ring_free(r);
  }
};
using RingPtr = std::unique_ptr<rte_ring, RingDeleter>;

// Packet mbuf pool sized from the config. Throws std::runtime_error (start-up only).
// The data room carries the largest wire frame plus the headroom that protect prepends into.
[[nodiscard]] MempoolPtr make_pktmbuf_pool(const std::string& name, uint32_t mbuf_count,
                                           uint16_t data_room_len, int socket_id);

// A ring of mbuf pointers (punt paths): single consumer always; `multi_producer` when several
// worker lcores feed it (wire → control plane), single producer when only the main lcore does.
// count must be a power of two. Throws on failure.
[[nodiscard]] RingPtr make_mbuf_ring(const std::string& name, uint32_t count, int socket_id,
                                     bool multi_producer);

}  // namespace linkcrypt::dpdk
