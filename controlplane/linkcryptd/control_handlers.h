// The daemon's control-socket commands (status, sa, stats, peer, rotations, rekey): fills the
// contract's structs (api/) from the dataplane report and the keying controller.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "api/peer.h"
#include "api/rotations.h"
#include "api/sa.h"
#include "api/stats.h"
#include "api/status.h"
#include "control_server.h"
#include "dataplane.h"
#include "keying_controller.h"
#include "mka_controller.h"
#include "options.h"
#include "sa_rates.h"

namespace linkcrypt::daemon {

class ControlHandlers {
 public:
  // controller is null with manual keying.
  ControlHandlers(dpdk::Dataplane& dp, keying::KeyingController* controller, const DaemonOptions& opts);
  control::Reply handle(const control::Request& r);
  // Called by the event loop about once a second: samples every SA's next PN, packets and octets
  // so that `sa` shows rates and the time to PN exhaustion from its first query on.
  void sample_pn_rates(std::chrono::steady_clock::time_point now);
  void set_server(const control::ControlServer* s) { server_ = s; }
  // keying = mka: `mka`, `rekey` and `status` ask it (null otherwise).
  void set_mka(mka_keying::MkaController* m) { mka_ = m; }

  // The results of `status` and `sa`; DPDK telemetry (telemetry_snapshot.h) publishes the same.
  api::StatusResult status() const;
  api::SaResult sa();

 private:
  api::StatsResult stats() const;
  api::PeerResult peer() const;
  api::RotationsResult rotations(const api::RotationsArgs& args) const;

  dpdk::Dataplane& dp_;
  keying::KeyingController* ctl_;
  mka_keying::MkaController* mka_ = nullptr;
  const DaemonOptions& opts_;
  const control::ControlServer* server_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  SaRateSampler rates_;
};

}  // namespace linkcrypt::daemon
