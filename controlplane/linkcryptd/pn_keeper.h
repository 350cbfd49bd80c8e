// Keeps the manual transmit SA's durable PN reservation ahead of the workers (docs/keyfile.md).
#pragma once

#include "key_file.h"
#include "options.h"
#include "pn_reservation.h"
#include "sa_control.h"

#include <memory>
#include <string>

namespace linkcrypt::daemon {

// Opens the reservation of the key file's transmit key in --state-dir: the SA is then
// installed with next-pn = start_pn() and may go no further than reserved_through().
// Throws ConfigError (exit 2, with a hint to rotate the key) on every refusal.
[[nodiscard]] std::unique_ptr<config::PnReservation> open_pn_reservation(const DaemonOptions& o,
                                                                         const config::KeyFile& keys);

// Runs on the main lcore every event-loop tick: reads the transmit SA's next PN and, once less
// than half a block is left, writes a new mark and only then raises the SA's limit. The workers
// never wait for it; if they get to the limit first they drop and count (TxPnUnreserved).
class PnKeeper {
 public:
  PnKeeper(dpdk::SaControl& sa, std::unique_ptr<config::PnReservation> r, uint8_t an)
      : sa_(sa), res_(std::move(r)), an_(an) {}
  void on_tick();

 private:
  dpdk::SaControl& sa_;
  std::unique_ptr<config::PnReservation> res_;
  uint8_t an_;
  bool failing_ = false;  // log a write failure once per streak, and its recovery
};

}  // namespace linkcrypt::daemon
