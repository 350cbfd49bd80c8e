// One EAL per test process (rte_eal_init runs once): started lazily, skipped loudly without root.
#pragma once

#include "eal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace linkcrypt::dpdk::test {

// Returns the process's EAL, or nullptr (after one loud message) if it cannot start here.
inline Eal* test_eal() {
  static std::unique_ptr<Eal> eal;
  static bool tried = false;
  if (!tried) {
    tried = true;
    try {
      // No hugepages, no PCI, a private file prefix: two lcores, the second for worker launches.
      eal = std::make_unique<Eal>(std::vector<std::string>{
          "--no-huge", "-m", "256", "--no-pci", "-l", "0,1", "--log-level", "3", "--no-telemetry",
          "--file-prefix", "lc_unit_" + std::to_string(getpid())});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "\n!!! %s\n!!! SKIPPING the EAL-based dataplane tests (they need root; CI runs as root)\n\n",
                   e.what());
    }
  }
  return eal.get();
}

}  // namespace linkcrypt::dpdk::test

#define REQUIRE_EAL()                                         \
  do {                                                        \
    if (::linkcrypt::dpdk::test::test_eal() == nullptr) {     \
      GTEST_SKIP() << "EAL unavailable (not root?)";          \
    }                                                         \
  } while (0)
