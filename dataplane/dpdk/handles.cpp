// Creation of the DPDK mempools and rings that the handle types own.
#include "handles.h"

#include <rte_errno.h>

#include <stdexcept>

namespace linkcrypt::dpdk {

MempoolPtr make_pktmbuf_pool(const std::string& name, uint32_t mbuf_count, uint16_t data_room_len,
                             int socket_id) {
  // Per-lcore cache of 256 keeps the fast path off the shared ring (DPDK l2fwd sizing).
  const unsigned cache = mbuf_count >= 4096 ? 256 : 0;
  rte_mempool* mp =
      rte_pktmbuf_pool_create(name.c_str(), mbuf_count, cache, 0, data_room_len, socket_id);
  if (mp == nullptr) {
    throw std::runtime_error("cannot create mbuf pool '" + name + "' (" +
                             std::to_string(mbuf_count) + " mbufs of " +
                             std::to_string(data_room_len) + " octets): " +
                             rte_strerror(rte_errno) + " (raise the EAL -m memory)");
  }
  return MempoolPtr(mp);
}

RingPtr make_mbuf_ring(const std::string& name, uint32_t count, int socket_id,
                       bool multi_producer) {
  const unsigned flags = RING_F_SC_DEQ | (multi_producer ? 0u : RING_F_SP_ENQ);
  rte_ring* r = rte_ring_create(name.c_str(), count, socket_id, flags);
  if (r == nullptr) {
    throw std::runtime_error("cannot create ring '" + name + "': " + rte_strerror(rte_errno));
  }
  return RingPtr(r);
}

}  // namespace linkcrypt::dpdk
