// One port's keychain of CAK/CKN pairs (primary, fallback, rollover with overlapping lifetimes): a participant per CA in use, MKPDUs routed by CKN, one coherent stream of SAK events for the dataplane.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mka_participant.h"

namespace linkcrypt::mka {

struct ChainKey {
  std::vector<uint8_t> ckn;  // 1..32 octets, unique in the chain
  SecretBytes cak;           // 16 or 32 octets
  bool fallback = false;     // at most one: used only while no primary CA is secured
  TimePoint start = TimePoint::min();  // a primary CA is used in [start, end)
  TimePoint end = TimePoint::max();
};

struct ChainConfig {
  ParticipantConfig base;  // everything but ckn and cak, which come from each key
  std::vector<ChainKey> keys;
};

struct ChainCounters {
  uint64_t rollovers = 0;            // a newer primary CA took over transmit and the older one was retired
  uint64_t fallback_activations = 0;  // the fallback CA was started because no primary came up
  uint64_t unrouted = 0;             // MKPDUs for a CKN not in the chain (given to the primary to report)
};

struct ChainParticipantStatus {
  std::vector<uint8_t> ckn;
  bool fallback = false;
  bool transmitting = false;  // the dataplane transmits with this CA's SAK
  ParticipantStatus status;
};

struct ChainStatus {
  std::optional<std::vector<uint8_t>> active_ckn;  // the CA whose SAK we transmit with
  std::vector<ChainParticipantStatus> participants;
  ChainCounters counters;
};

// Rules (802.1X-2020 leaves keychains to management; these follow the operators' expectation
// that a CAK change loses no frame):
// - every primary key whose [start, end) holds now has a running participant, so during an
//   overlap two CAs run side by side (two MKA participants on one port, which 802.1X-2020's KaY
//   allows: one per CA);
// - transmit belongs to one CA: a newer primary's InstallTxSak (its peers already receive with its
//   SAK: make-before-break inside that CA) takes it over; an older CA's is withheld;
// - the older CA is retired only once every peer of the newer one receives AND transmits with the
//   newer SAK, so the old SAK keeps being received until nobody sends with it;
// - the fallback CA starts when a primary reports CakMismatch/CknMismatch, when no primary has a
//   live peer one MKA life time after start, or when a peer speaks the fallback's CKN; it is
//   retired like an older CA once a primary takes over;
// - each CA's key server avoids the ANs the other CAs' SAKs are on.
class CakChain {
 public:
  // nullopt when a key is unusable, two share a CKN, there is no primary, or two are fallbacks.
  static std::optional<CakChain> create(ChainConfig cfg);

  void start(TimePoint now, std::vector<Event>& out);
  void receive(std::span<const uint8_t> frame, TimePoint now, std::vector<Event>& out);
  void tick(TimePoint now, std::vector<Event>& out);
  // A new SAK on the transmitting CA (operator command, PN exhaustion); false if we are not its key server.
  bool rekey(TimePoint now, std::vector<Event>& out);
  void set_lowest_pn(const KeyIdentifier& id, uint64_t lowest_pn, TimePoint now, std::vector<Event>& out);
  [[nodiscard]] TimePoint next_deadline() const;
  [[nodiscard]] ChainStatus status() const;

 private:
  struct Slot {
    size_t key = 0;  // index into keys_
    Participant p;
  };
  explicit CakChain(ChainConfig cfg) : base_(std::move(cfg.base)), keys_(std::move(cfg.keys)) {}

  [[nodiscard]] bool usable(size_t key, TimePoint now) const;
  [[nodiscard]] Slot* slot_of(size_t key);
  // Preference for transmit: a primary over the fallback, then the later start.
  [[nodiscard]] bool preferred(size_t a, size_t b) const;
  void launch(size_t key, TimePoint now, std::vector<Event>& out);
  void retire(size_t key, std::vector<Event>& out);
  // Runs one participant call with the other CAs' ANs marked busy, then filters its events.
  template <typename F>
  void call(Slot& s, TimePoint now, std::vector<Event>& out, F&& f);
  void filter(size_t key, std::vector<Event>& in, std::vector<Event>& out);
  void housekeep(TimePoint now, std::vector<Event>& out);

  ParticipantConfig base_;
  std::vector<ChainKey> keys_;
  std::vector<Slot> slots_;
  std::optional<size_t> tx_key_;  // the key whose CA transmits
  std::set<size_t> superseded_;   // retired by a rollover: not started again while a newer CA is secured
  bool primary_mismatch_ = false;
  TimePoint no_tx_since_ = TimePoint::max();  // since when no CA transmits
  TimePoint last_now_ = TimePoint::min();
  ChainCounters counters_;
};

}  // namespace linkcrypt::mka
