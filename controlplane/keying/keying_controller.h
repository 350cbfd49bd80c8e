// The keying controller: owns the IKE session(s), installs child SA keys make-before-break
// (design.md §4), drives rotation triggers, re-establishes with back-off, and keeps peer status.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "failure_hint.h"
#include "ike_session.h"
#include "key_sink.h"
#include "log_event.h"
#include "rotation_log.h"
#include "transport.h"

namespace linkcrypt::keying {

using TimePoint = ike::TimePoint;
using Millis = std::chrono::milliseconds;

struct KeyingPolicy {
  Millis rekey_interval{3600 * 1000};    // 0: no time-based rotation
  uint64_t rekey_bytes = 0;              // 0: no bytes trigger
  Millis ike_rekey_interval{86400 * 1000};
  Millis switch_timeout{1000};           // exchange responder: switch TX without a validated frame
  Millis retire_grace{2000};             // old RX SAs live this long after the TX switch
  Millis reconnect_min{1000};            // back-off after a failure: doubling ...
  Millis reconnect_max{30000};           // ... up to this
  Millis rotation_give_up{30000};        // a rotation without keys after this long is abandoned
  // The exchange responder lets the initiator act first on PN/bytes triggers (both directions
  // reach them together under symmetric traffic): fewer CREATE_CHILD_SA collisions.
  Millis responder_trigger_delay{2000};
};

struct KeyingSetup {
  // Identities, auth, proposals, timers (role is set per use by the controller).
  std::shared_ptr<const ike::Config> ike;
  bool initiator = true;  // resolved role (contract: auto → lower local identity initiates)
  KeyingPolicy policy;
  // Responder role: half-open IKE SAs kept, and how many before COOKIEs are demanded (RFC 7296
  // 2.6). cookie_threshold < half_open_limit, so cookies engage before INITs are refused.
  ike::ResponderLimits responder_limits{2, 8};
  std::function<int64_t()> unix_now;        // wall clock for the rotation log; system clock if empty
  std::function<void(const LogEvent&)> log;  // key-lifecycle events with key ids; never key bytes
  // The sink is another process (process-model = split): once a child's SAKs are handed over,
  // the controller wipes its own copy. A rekey-collision survivor is then reinstalled with empty
  // keys, which the sink resolves by key_id from what the dataplane still holds (key_sink.h).
  bool forget_keys_after_install = false;
};

// contract "role = auto": the side whose local identity sorts lower (byte-wise) initiates.
[[nodiscard]] bool auto_role_is_initiator(const ike::Identity& local, const ike::Identity& peer);

enum class LinkState : uint8_t { Down, Keying, Secured, Failed };
[[nodiscard]] std::string_view link_state_name(LinkState s);

enum class SaState : uint8_t { Active, Standby, Retiring };
[[nodiscard]] std::string_view sa_state_name(SaState s);

// One SA the controller installed, as linkcryptctl "sa" lists it (counters come from the sink).
struct SaEntry {
  bool tx = false;
  uint8_t an = 0;
  uint64_t sci = 0;
  uint64_t key_id = 0;
  uint32_t inbound_spi = 0;  // the child's inbound SPI (for Deleted events)
  SaState state = SaState::Standby;
  TimePoint installed{};
  std::optional<TimePoint> retire_at;  // RX in its grace period
};

struct Failure {
  FailureCause cause;  // failure_name() gives what operators see
  std::string detail;
  bool by_peer = false;
  TimePoint at{};
  // When an IKE SA came up or MACsec keys were installed after it: from then on it is history.
  std::optional<TimePoint> resolved_at;
};

struct PeerStatus {
  std::string peer_id;      // as configured; after IkeUp, as presented
  std::string algorithms;   // "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519"
  // RFC 8784: the PPK id mixed into the current IKE SA's keys (empty: not PPK-protected).
  std::string ppk_id;
  std::optional<TimePoint> last_handshake;
  uint64_t ike_rekeys = 0;
  uint64_t child_rekeys = 0;
  std::optional<Failure> last_failure;
};

struct KeyingCounters {
  uint64_t rx_messages = 0;
  uint64_t rx_unparsable = 0;      // peek_header refused it
  uint64_t rx_unrouted = 0;        // no session owns it and it is not an IKE_SA_INIT we accept
  uint64_t candidates_dropped = 0; // half-open responder sessions pushed out or failed
  uint64_t connects = 0;           // IKE_SA_INIT started by us
  uint64_t established = 0;       // IKE SAs that came up
  uint64_t links_lost = 0;         // PeerDead / IKE SA deleted / failed
  uint64_t rotations_abandoned = 0;
  uint64_t tx_switch_timeouts = 0; // responder switched on timeout, not on a validated frame
  uint64_t untrusted_notifies = 0; // unauthenticated IKE_SA_INIT notifies ignored (RFC 7296 2.21.1)
};

class KeyingController {
 public:
  KeyingController(KeyingSetup setup, transport::Transport& transport, KeySink& sink);
  ~KeyingController();
  KeyingController(const KeyingController&) = delete;
  KeyingController& operator=(const KeyingController&) = delete;

  // Drains the transport, runs IKE timers, polls the switch cue, retires, checks triggers.
  void tick(TimePoint now);
  // Starts a rotation now; empty string when started, else why not (contract `rekey`).
  std::string request_rotation(RotationReason why, TimePoint now);
  // Closes the IKE SA (shutdown): sends the Delete, retires nothing (the process ends). After
  // it, tick() only serves the closing exchange (answers, retransmissions): no reconnect, no
  // rotation; closed() says when the peer has answered the Delete (or there was no IKE SA).
  // Returns whether a Delete was sent (false: no established IKE SA).
  bool close(TimePoint now);
  [[nodiscard]] bool closed() const { return closing_ && !session_; }
  // SIGHUP: the rotation policy from now on and, unless null, the credentials and IKE timers of
  // `fresh` for the NEXT handshake (identities, suite, role and endpoints stay as started). The
  // IKE SA and the installed SAs are kept: the running session holds its own copy of its config.
  void reload(const KeyingPolicy& policy, const ike::Config* fresh);
  [[nodiscard]] const KeyingPolicy& policy() const { return setup_.policy; }

  [[nodiscard]] LinkState state() const { return state_; }
  [[nodiscard]] bool initiator() const { return setup_.initiator; }
  [[nodiscard]] std::optional<uint8_t> tx_an() const { return tx_an_; }
  [[nodiscard]] std::optional<uint64_t> tx_key_id() const;
  [[nodiscard]] std::string ike_state() const;
  [[nodiscard]] const std::vector<SaEntry>& sas() const { return sas_; }
  [[nodiscard]] const PeerStatus& peer() const { return peer_; }
  [[nodiscard]] const RotationLog& rotations() const { return log_; }
  [[nodiscard]] const KeyingCounters& counters() const { return counters_; }
  [[nodiscard]] ike::SessionCounters session_counters() const;
  [[nodiscard]] const ike::ResponderCounters* responder_counters() const;
  [[nodiscard]] const transport::Transport& transport() const { return transport_; }
  // The SPIs of the IKE SA we key with ({spi_i, 0} while our IKE_SA_INIT is outstanding), or
  // nullopt: what the dataplane's key-exchange classifier gives priority (issue 15).
  [[nodiscard]] std::optional<std::pair<uint64_t, uint64_t>> ike_sa_spis() const;
  [[nodiscard]] bool rotation_in_progress() const { return rotation_.has_value() || pending_.has_value(); }

 private:
  struct Pending {  // exchange responder waiting to switch TX (design.md §4 step 4)
    uint8_t tx_an = 0;
    uint64_t rx_sci = 0;
    uint8_t rx_an = 0;
    uint64_t key_id = 0;
    TimePoint deadline{};
  };
  struct Rotation {
    RotationReason reason = RotationReason::Operator;
    TimePoint started{};
    int64_t when_unix = 0;
    uint64_t drops_at_start = 0;
    uint64_t old_key_id = 0;
  };
  struct OpenRecord {  // a switched rotation whose old RX SAs are still in grace
    uint64_t seq = 0;
    uint64_t drops_at_start = 0;
  };

  void connect(TimePoint now);
  void receive(const transport::InboundMessage& m, TimePoint now);
  void handle(ike::Output out, ike::Session* from, TimePoint now);
  void on_event(ike::Event& ev, ike::Session*& from, TimePoint now);
  void promote(ike::Session* candidate, TimePoint now);
  void on_child_ready(ike::ChildKeysReady& k, TimePoint now);
  void on_child_deleted(uint32_t inbound_spi, TimePoint now);
  void switch_tx(TimePoint now, bool timed_out);
  void link_down(FailureCause cause, std::string detail, bool by_peer, TimePoint now);
  void on_untrusted_notify(uint16_t notify_type, TimePoint now);
  void drop_tx(TimePoint now);
  void retire_due(TimePoint now);
  void check_triggers(TimePoint now);
  void finish_open_record();
  void log(LogLevel level, std::string line, std::vector<LogField> fields = {}) const;
  [[nodiscard]] int64_t unix_now() const;

  KeyingSetup setup_;
  std::shared_ptr<const ike::Config> init_cfg_;
  std::shared_ptr<const ike::Config> resp_cfg_;
  transport::Transport& transport_;
  KeySink& sink_;
  std::unique_ptr<ike::Responder> responder_;            // responder role only
  std::unique_ptr<ike::Session> session_;                // the IKE SA we key with
  std::vector<std::unique_ptr<ike::Session>> candidates_;  // half-open, from responder_
  LinkState state_ = LinkState::Down;
  std::optional<TimePoint> reconnect_at_;
  Millis backoff_;
  std::optional<uint8_t> tx_an_;
  std::optional<Pending> pending_;
  std::optional<Rotation> rotation_;
  std::optional<OpenRecord> open_record_;
  TimePoint last_child_at_{};
  TimePoint ike_up_at_{};
  std::vector<SaEntry> sas_;
  PeerStatus peer_;
  RotationLog log_;
  KeyingCounters counters_;
  std::vector<transport::InboundMessage> inbox_;
  // The last two children's keys: a CREATE_CHILD_SA collision (RFC 7296 2.8.1) yields two
  // children on the same AN; when the redundant one is deleted, the survivor is installed.
  std::vector<ike::ChildKeysReady> recent_;
  // Since when the responder side has seen its PN/bytes trigger (it defers to the initiator).
  std::optional<TimePoint> deferred_trigger_since_;
  bool closing_ = false;  // close() was called: the process is stopping
  std::optional<TimePoint> untrusted_logged_at_;  // rate limit of the untrusted-notify line
  uint64_t untrusted_unlogged_ = 0;               // ignored since that line
};

}  // namespace linkcrypt::keying
