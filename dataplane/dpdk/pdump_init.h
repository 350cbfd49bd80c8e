// rte_pdump in the primary process, so that dpdk-dumpcap can capture both ports of a running daemon.
#pragma once

#include <string>

namespace linkcrypt::dpdk {

// dpdk-dumpcap is a DPDK secondary process: it attaches to this process's shared configuration
// (/run/dpdk/<file-prefix>), asks it over the multi-process channel to copy every frame a port
// receives or sends into a ring, and writes them to a pcap/pcapng file. rte_pdump_init registers
// the primary's side of that request. The copies are made by the ethdev RX/TX callbacks on the
// worker lcores, only while a capture runs.
//
// Capture is a troubleshooting aid, not needed to forward frames: construction never throws.
// A secondary process can attach only when the EAL shares its memory: hugepages (a --no-huge
// primary writes no hugepage_data, so the secondary's EAL refuses) and a shared config (not
// --in-memory / --no-shconf, which also close the multi-process channel).
class PacketCaptureServer {
 public:
  PacketCaptureServer();  // call after rte_eal_init, before the ports stop
  ~PacketCaptureServer();
  PacketCaptureServer(const PacketCaptureServer&) = delete;
  PacketCaptureServer& operator=(const PacketCaptureServer&) = delete;

  // True when dpdk-dumpcap can attach; otherwise why_not() says why, in the operator's words.
  [[nodiscard]] bool available() const { return why_not_.empty(); }
  [[nodiscard]] const std::string& why_not() const { return why_not_; }

 private:
  bool registered_ = false;
  std::string why_not_;
};

// The EAL's runtime directory (/run/dpdk/<file-prefix>): where dpdk-dumpcap and
// dpdk-telemetry.py find this process (the file prefix is its last path component).
[[nodiscard]] std::string eal_runtime_dir();

}  // namespace linkcrypt::dpdk
