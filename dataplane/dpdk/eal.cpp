// Eal: rte_eal_init with the pass-through arguments, rte_eal_cleanup on destruction.
#include "eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <stdexcept>

namespace linkcrypt::dpdk {

Eal::Eal(const std::vector<std::string>& args) {
  // rte_eal_init permutes and keeps pointers into argv: give it storage that outlives the call.
  static std::vector<std::string> storage;
  static std::vector<char*> argv;
  storage.clear();
  storage.push_back("linkcryptd");
  storage.insert(storage.end(), args.begin(), args.end());
  argv.clear();
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int rc = rte_eal_init(static_cast<int>(storage.size()), argv.data());
  if (rc < 0) {
    throw std::runtime_error(std::string("EAL initialisation failed: ") + rte_strerror(rte_errno) +
                             " (check the EAL arguments; without hugepages use --no-huge -m 1024 "
                             "--no-pci and a distinct --file-prefix)");
  }
}

Eal::~Eal() { rte_eal_cleanup(); }

std::vector<unsigned> Eal::worker_lcores() const {
  std::vector<unsigned> out;
  unsigned id = 0;
  RTE_LCORE_FOREACH_WORKER(id) { out.push_back(id); }
  return out;
}

unsigned Eal::main_lcore() const { return rte_get_main_lcore(); }

}  // namespace linkcrypt::dpdk
