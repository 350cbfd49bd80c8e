// net_af_packet wire ports: the key-exchange EtherType on a packet socket and ring of its own.
#pragma once

#include "kx_classify.h"
#include "unique_fd.h"

#include <linux/filter.h>
#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace linkcrypt::dpdk {

// Why (issue 15 §2): the af_packet PMD reads every frame of the wire interface through one kernel
// ring. A key-exchange flood faster than the worker drains that ring fills it, and the kernel then
// drops the next frame whatever it is: the established link's MACsec frames were lost with the
// flood's odds (RxMissed). Here the kernel sorts instead, before any ring: a socket filter keeps
// the kx EtherType out of the PMD's sockets (keep_kx_off_pmd_sockets), and two sockets bound to
// that EtherType receive it into rings of their own, split by IKE SPIs (kx_spi_filter): frames of
// the known IKE SAs into the priority ring, all others into the flood's ring. A flood can then
// overflow only its own ring (KxRxMissed): the data ring carries the data, and the established
// session's messages keep a ring a flood cannot fill while the worker is away from its core.
// VLAN-tagged frames stay on the PMD's path, as before (the SecY drops them).
//
// Opened by the main lcore at start-up; drained by worker 0 only (no syscalls, no locks: the
// TPACKET_V2 status word hands each slot between the kernel and us); filter and drops changed
// and read by the main lcore (syscalls).
class KxPacketRing {
 public:
  // Opens a socket with `filter` and its ring of about `frames` slots, each with room for
  // max_frame_len octets, bound to if_index for ethertype. nullptr and err on failure.
  [[nodiscard]] static std::unique_ptr<KxPacketRing> open(uint32_t if_index, uint16_t ethertype, uint32_t frames,
                                                          uint32_t max_frame_len, const std::vector<sock_filter>& filter,
                                                          std::string& err);
  // Replaces the socket filter (the kernel swaps it atomically). False on failure.
  bool set_filter(const std::vector<sock_filter>& filter);
  ~KxPacketRing();
  KxPacketRing(const KxPacketRing&) = delete;
  KxPacketRing& operator=(const KxPacketRing&) = delete;

  // Hands up to max received frames to fn(std::span<const uint8_t>) in arrival order and gives
  // their slots back to the kernel; returns how many. fn must copy what it keeps.
  template <typename Fn>
  uint16_t drain(uint16_t max, Fn&& fn) {
    uint16_t n = 0;
    while (n < max) {
      auto* hdr = reinterpret_cast<tpacket2_hdr*>(map_ + static_cast<size_t>(next_) * frame_size_);
      if ((__atomic_load_n(&hdr->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) break;
      fn(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(hdr) + hdr->tp_mac, hdr->tp_snaplen));
      __atomic_store_n(&hdr->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
      next_ = next_ + 1 == frame_count_ ? 0 : next_ + 1;
      ++n;
    }
    return n;
  }

  // Frames the kernel dropped because this ring was full, since the last call (PACKET_STATISTICS
  // resets on read).
  [[nodiscard]] uint64_t take_drops() const;

 private:
  KxPacketRing() = default;

  UniqueFd fd_;
  uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  uint32_t frame_size_ = 0;
  uint32_t frame_count_ = 0;
  uint32_t next_ = 0;
};

// A classic BPF program on the IKE header's SPIs (octets 14..29 of the frame, RFC 7296 3.1), the
// kernel's copy of kxclass::classify_kx_frame's "belongs to a known IKE SA": accepts the frames of
// `known` when known_ones, else every frame but those. (A replayed IKE_SA_INIT carries the
// established SA's SPIi but SPIr 0: it is not the SA's, and goes to the flood's ring.)
[[nodiscard]] std::vector<sock_filter> kx_spi_filter(const kxclass::KnownIkeSas& known, bool known_ones);

// The PMD's sockets' filter: refuses an untagged frame of ethertype (and of also_refused, the
// EAPOL EtherType with MKA keying; 0: none), accepts all else.
[[nodiscard]] std::vector<sock_filter> not_kx_filter(uint16_t ethertype, uint16_t also_refused = 0);

// A filter that accepts every frame (the EAPOL ring: every MKPDU goes to the control plane).
[[nodiscard]] std::vector<sock_filter> accept_all_filter();

// Attaches to this process's AF_PACKET sockets on if_index that take every protocol (the PMD's) a
// filter refusing untagged frames of ethertype (and of also_refused when not 0). False and err
// when one refuses it or none exists.
[[nodiscard]] bool keep_kx_off_pmd_sockets(uint32_t if_index, uint16_t ethertype, std::string& err,
                                           uint16_t also_refused = 0);

}  // namespace linkcrypt::dpdk
