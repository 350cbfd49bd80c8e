// process-model = split, the dataplane process's side: its socketpair to the IKE process (kx frames, SA operations, status) and its supervisor socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "control_handlers.h"
#include "control_server.h"
#include "dataplane.h"
#include "dataplane_keys.h"
#include "keying_wire.h"
#include "unique_fd.h"

namespace linkcrypt::daemon {

struct KeyingChannelCounters {
  uint64_t channels = 0;          // IKE processes connected since start
  uint64_t rx_malformed = 0;      // refused messages from the IKE process
  uint64_t rejected_installs = 0; // InstallSa / SA operations SaControl refused
  uint64_t kx_dropped = 0;        // kx frames with no IKE process, or its socket full (IKE retransmits)
};

// Every tick: takes a new IKE channel from the supervisor (SCM_RIGHTS on fd 3) and says hello;
// forwards punted kx frames; applies the IKE process's SA operations through DataplaneKeySink
// (the SAK is in the message, then only in SaControl and the small cache below); sends the SAs'
// counters. When the IKE process goes, the installed SAs stay (must-secure: frames are only
// ever protected or dropped). When a new IKE process switches its first transmit SA, the SAs
// the previous one installed are retired (receive SAs after retire_grace).
class KeyingChannel {
 public:
  KeyingChannel(dpdk::Dataplane& dp, DataplaneKeySink& sink, UniqueFd supervisor, std::chrono::milliseconds retire_grace);
  void tick();
  // The control socket: status/peer/rekey get the IKE process's keying state; the rest as in single.
  control::Reply handle(const control::Request& r, ControlHandlers& handlers);
  [[nodiscard]] const KeyingChannelCounters& counters() const { return counters_; }

 private:
  struct Held {  // what a rekey-collision survivor is reinstalled from (ReinstallSa)
    bool tx;
    uint64_t key_id;
    ike::ChildKeysReady keys;
  };
  using SaKey = std::tuple<bool, uint64_t, uint8_t>;  // tx?, sci (rx), an
  void accept_channel();
  void lost_channel(const char* why);
  void on_message(ipc::Decoded& d);
  void install(ipc::InstallSa& s);
  void apply(bool tx, const ike::ChildKeysReady& k);
  void retire_previous();
  void send(ipc::KeyingMsg t, const ipc::KeyingMessage& m);

  dpdk::Dataplane& dp_;
  DataplaneKeySink& sink_;
  UniqueFd supervisor_, ike_;
  std::chrono::milliseconds retire_grace_;
  uint32_t seq_ = 0;
  std::optional<ipc::Status> status_;
  std::set<SaKey> mine_;           // installed by the current IKE process
  bool switched_since_connect_ = false;
  std::deque<Held> held_;          // the last few installs
  std::vector<std::pair<std::chrono::steady_clock::time_point, SaKey>> retire_at_;
  std::vector<std::vector<uint8_t>> kx_;
  std::vector<uint8_t> buf_;
  KeyingChannelCounters counters_;
};

}  // namespace linkcrypt::daemon
