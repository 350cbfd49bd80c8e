// The DPDK Environment Abstraction Layer as an RAII object: initialised once, cleaned up once.
#pragma once

#include <string>
#include <vector>

namespace linkcrypt::dpdk {

// rte_eal_init may be called only once per process; Eal is therefore a one-shot guard.
// Construction throws std::runtime_error with the EAL's reason (start-up only).
class Eal {
 public:
  // args are the EAL arguments without argv[0] (e.g. "--no-huge", "-m", "1024", "-l", "0,1").
  explicit Eal(const std::vector<std::string>& args);
  ~Eal();
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  // Worker lcore ids (every enabled lcore except the main one), in ascending order.
  [[nodiscard]] std::vector<unsigned> worker_lcores() const;
  [[nodiscard]] unsigned main_lcore() const;
};

}  // namespace linkcrypt::dpdk
