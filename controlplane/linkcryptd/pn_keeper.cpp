// open_pn_reservation and PnKeeper: the daemon's side of the manual key's PN reservation.
#include "pn_keeper.h"

#include "daemon_log.h"

namespace linkcrypt::daemon {

std::unique_ptr<config::PnReservation> open_pn_reservation(const DaemonOptions& o, const config::KeyFile& keys) {
  config::PnReservationRequest r;
  r.state_dir = o.state_dir;
  r.key_id = config::pn_key_id(keys.tx.sak.view());
  r.first_pn = keys.tx.pn;
  r.max_pn = secy::max_pn(keys.suite);
  r.block = o.pn_reserve_block;
  std::string err;
  auto res = config::PnReservation::open(r, err);
  if (!res) throw ConfigError(err);
  log(LogLevel::Info,
      "PN reservation of transmit key " + res->key_id_hex() + " in " + o.state_dir + ": " +
          (res->previous_mark() ? "resuming above PN " + std::to_string(res->previous_mark())
                                : std::string("first use of this key")) +
          ", sending from PN " + std::to_string(res->start_pn()) + ", reserved through " +
          std::to_string(res->reserved_through()),
      {{"KEY_ID", res->key_id_hex()}});
  return res;
}

void PnKeeper::on_tick() {
  const dpdk::SaTables* t = sa_.load();
  secy::TxSa* sa = t ? t->tx_sas[an_ & 3].get() : nullptr;
  if (!sa) return;
  std::string err;
  switch (res_->extend_if_needed(sa->next_pn(), err)) {
    case config::PnReservation::Extend::NotNeeded: break;
    case config::PnReservation::Extend::Extended:
      sa->extend_reservation(res_->reserved_through());  // after the mark is durable, never before
      if (failing_) log(LogLevel::Notice, "PN reservation of transmit key " + res_->key_id_hex() + " written again");
      failing_ = false;
      break;
    case config::PnReservation::Extend::Failed:
      if (!failing_) {
        log(LogLevel::Error, err + ": the transmit SA stops at PN " + std::to_string(res_->reserved_through()) +
                                 " (TxPnUnreserved) until the mark can be written",
            {{"KEY_ID", res_->key_id_hex()}});
      }
      failing_ = true;
      break;
  }
}

}  // namespace linkcrypt::daemon
