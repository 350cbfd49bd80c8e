// PacketCaptureServer: rte_pdump_init/rte_pdump_uninit, and why a secondary could not attach.
#include "pdump_init.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

namespace linkcrypt::dpdk {

PacketCaptureServer::PacketCaptureServer() {
  if (rte_pdump_init() != 0) {
    // ENOTSUP: the multi-process channel is off (--in-memory, --no-shconf).
    why_not_ = std::string("rte_pdump_init failed: ") + rte_strerror(rte_errno) +
               " (the EAL runs without a shared config: drop --in-memory / --no-shconf)";
    return;
  }
  registered_ = true;
  if (rte_eal_has_hugepages() == 0) {
    why_not_ = "the EAL runs with --no-huge, and DPDK's secondary processes (dpdk-dumpcap, "
               "dpdk-proc-info) can attach only to hugepage memory";
  }
}

PacketCaptureServer::~PacketCaptureServer() {
  if (registered_) rte_pdump_uninit();
}

std::string eal_runtime_dir() { return rte_eal_get_runtime_dir(); }

}  // namespace linkcrypt::dpdk
