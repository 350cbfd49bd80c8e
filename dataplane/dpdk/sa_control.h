// SaControl: the control plane's interface to the SA tables (install, switch, retire, counters).
#pragma once

#include "rcu.h"
#include "sa_tables.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace linkcrypt::dpdk {

// Counters of one SC or SA as the control plane reports them.
// Suite, SCI and PNs come from the SecY's own SA objects, so what the operator is shown is what
// frames are checked against.
struct RxSaReport {
  secy::Sci sci;
  uint8_t an;
  secy::CipherSuite suite;
  uint64_t next_pn;
  uint64_t lowest_pn;           // 10.6.2 lowestPN: the window and the KaY's floor applied
  secy::RxSaCounters counters;
};
struct RxScReport {
  secy::Sci sci;
  secy::RxScCounters counters;  // sa_sum includes SAs retired since start-up
};
struct TxSaReport {
  uint8_t an;
  secy::Sci sci;
  secy::CipherSuite suite;
  bool active;
  uint64_t next_pn;
  bool threshold_reached;
  bool exhausted;
  secy::TxSaCounters counters;
};
struct SaReport {
  std::vector<TxSaReport> tx;
  secy::TxScCounters tx_sc;  // every transmit SA ever installed, summed (10.7.21 Transmit SC)
  std::vector<RxScReport> rx_sc;
  std::vector<RxSaReport> rx_sa;
};

// Single-threaded: called from the main lcore only. Every change builds a new SaTables and
// publishes it with one atomic pointer swap; workers never stop or lock (design.md §2).
//
// Receive SAs are shared between successive snapshots (secy::RxSc holds shared_ptr): an
// unchanged SA is the same object in the old and the new table, so its replay state (nextPN,
// 10.6.5) and counters carry on with no copy and no window in which a replay could pass.
// Receive SCs are rebuilt per snapshot; their SC-only counters are carried over once the grace
// period has ended, when no worker can touch the old objects any more.
class SaControl {
 public:
  SaControl(RcuDomain& rcu, const secy::SecyConfig& cfg);
  ~SaControl();
  SaControl(const SaControl&) = delete;
  SaControl& operator=(const SaControl&) = delete;

  // Worker side: the current snapshot (valid until the worker's next quiescent report).
  [[nodiscard]] const SaTables* load() const noexcept { return published_.load(); }

  // Installs (or replaces) the transmit SA for p.an. It carries traffic only after switch_tx_an
  // (or at once if activate). Throws std::invalid_argument on bad parameters.
  void install_tx_sa(const secy::TxSaParams& p, std::span<const uint8_t> sak, bool activate);
  // 10.7.21 encodingSA: frames are protected with this AN's SA from the next burst on.
  // Returns false when no SA is installed for `an`.
  bool switch_tx_an(uint8_t an);
  // Removes the transmit SA (and stops transmitting if it was active: must-secure).
  void retire_tx_sa(uint8_t an);
  // Installs (or replaces, with a fresh replay state) the receive SA p.an on SC `sci`,
  // creating the SC if needed. Throws std::invalid_argument / std::length_error.
  void install_rx_sa(secy::Sci sci, const secy::RxSaParams& p, std::span<const uint8_t> sak);
  // Removes a receive SA; the SC goes with its last SA.
  void retire_rx_sa(secy::Sci sci, uint8_t an);
  // Changes the SecY settings (validate_frames, replay window, ...).
  void set_config(const secy::SecyConfig& cfg);

  // PN-threshold signal (802.1AE 10.5.2 / design §3): true once the active transmit SA has used
  // a PN at or beyond its rekey threshold. Polled by the control plane each loop iteration.
  [[nodiscard]] bool tx_threshold_reached() const;
  [[nodiscard]] bool tx_exhausted() const;

  [[nodiscard]] SaReport report() const;
  // How many retired snapshots still wait for their grace period (always 0 after a call:
  // every change waits for the grace period itself, which lasts one worker loop iteration).
  [[nodiscard]] size_t pending() const { return published_.pending(); }

 private:
  struct RxRecord {
    uint64_t kay_lowest_pn;     // 10.7.22 lowestPN as installed; never lowered
  };
  struct ScRecord {
    secy::RxScCounters carried;  // SC-only counters of previous RxSc objects, + retired SAs
  };
  using RxKey = std::pair<secy::Sci, uint8_t>;

  // What must happen once the old snapshot's grace period is over.
  struct Carry {
    std::vector<std::pair<secy::Sci, const secy::RxSa*>> dropped;   // replaced or retired
    std::vector<std::shared_ptr<secy::TxSa>> tx_dropped;            // replaced or retired
  };
  // A new snapshot: the current TX part, and an RX table rebuilt without (sci, an) if `skip`.
  std::unique_ptr<SaTables> copy_current(Carry& carry, const RxKey* skip);
  void publish_with(std::unique_ptr<SaTables> next, Carry& carry);

  RcuDomain& rcu_;
  Published<SaTables> published_;
  std::map<RxKey, RxRecord> rx_records_;
  std::map<secy::Sci, ScRecord> sc_records_;
  secy::TxScCounters tx_retired_;
};

}  // namespace linkcrypt::dpdk
