// MkaController: one MKA participant driven from the event loop: EAPOL frames in and out through a
// KxPort, its key events into the SecY through the KeySink that IKE keying uses too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "key_sink.h"
#include "log_event.h"
#include "mka_participant.h"
#include "transport.h"
#include "inband_transport.h"

namespace linkcrypt::mka_keying {

using Clock = std::chrono::steady_clock;

struct MkaSetup {
  mka::ParticipantConfig participant;  // sci and own_mac set from the wire port
  std::function<void(const LogEvent&)> log;
};

// What `linkcryptctl mka` and `status` show: identifiers, never key bytes.
struct MkaView {
  mka::ParticipantStatus participant;
  std::vector<uint8_t> ckn;
  uint64_t sci = 0;  // ours
  uint64_t cipher_suite = mka::kGcmAes128;
  uint8_t key_server_priority = 0;
  std::optional<uint8_t> tx_an;      // the AN we transmit with
  uint64_t rotations = 0;            // SAKs we switched transmission to
  bool secured = false;
  std::optional<std::string> failure, failure_detail, failure_hint;
  std::optional<Clock::time_point> failure_at;
  uint64_t frames_dropped_on_send = 0;
};

class MkaController {
 public:
  // nullopt and err when the participant cannot be made (a CAK or CKN the standard refuses).
  static std::unique_ptr<MkaController> create(MkaSetup setup, transport::KxPort& port, keying::KeySink& sink,
                                               std::string& err);

  // Sends the first MKPDU.
  void start(Clock::time_point now);
  // Every event-loop tick: the punted EAPOL frames, the participant's timers, the PN threshold.
  void tick(Clock::time_point now);
  // The operator's `rekey`: empty when a new SAK is being distributed, else why not.
  std::string rekey(Clock::time_point now);
  [[nodiscard]] MkaView view() const;
  [[nodiscard]] uint64_t own_sci() const { return own_sci_; }

 private:
  MkaController(MkaSetup setup, mka::Participant p, transport::KxPort& port, keying::KeySink& sink);
  void apply(std::vector<mka::Event>& events, Clock::time_point now);
  void install_rx_for(uint64_t sci, uint8_t an);
  void log(LogLevel level, std::string text, std::vector<LogField> fields = {}) const;
  void log_sent(std::span<const uint8_t> frame) const;

  struct HeldKey {
    mka::KeyIdentifier id;
    uint64_t suite = mka::kGcmAes128;
    SecretBytes sak;                 // the SecY holds its own copy; kept for peers that go live later
    std::set<uint64_t> rx_scis;      // the SCs a receive SA was installed on
  };

  MkaSetup setup_;
  mka::Participant participant_;
  transport::KxPort& port_;
  keying::KeySink& sink_;
  uint64_t own_sci_ = 0;
  std::map<uint8_t, HeldKey> keys_;  // by AN
  std::map<mka::MemberIdentifier, uint64_t> live_peers_;  // MI → SCI
  std::optional<uint8_t> tx_an_;
  uint64_t rotations_ = 0;
  bool threshold_rekeyed_ = false;
  std::vector<std::vector<uint8_t>> frames_;
  std::vector<mka::Event> events_;
  std::optional<std::string> failure_, failure_detail_, failure_hint_;
  std::optional<Clock::time_point> failure_at_;
  uint64_t send_failed_ = 0;
};

}  // namespace linkcrypt::mka_keying
