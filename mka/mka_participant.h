// One MKA participant (IEEE 802.1X-2020 clause 9) for one CAK, sans-I/O: MKPDUs and time in; MKPDUs, SAK installs and typed failures out.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "mkpdu.h"
#include "secret.h"
#include "xpn.h"

namespace linkcrypt::mka {

using TimePoint = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

// 802.1AE Table 14-1 cipher suite identifiers.
inline constexpr uint64_t kGcmAes128 = 0x0080C20001000001;
inline constexpr uint64_t kGcmAes256 = 0x0080C20001000002;
inline constexpr uint64_t kGcmAesXpn128 = 0x0080C20001000003;
inline constexpr uint64_t kGcmAesXpn256 = 0x0080C20001000004;

[[nodiscard]] constexpr bool is_xpn(uint64_t suite) { return suite == kGcmAesXpn128 || suite == kGcmAesXpn256; }
// The key server distributes a new SAK once a lowest PN in use passes this (wpa_supplicant's
// src/pae uses the same 3/4 marks for the 32-bit and the 64-bit PN).
[[nodiscard]] constexpr uint64_t pn_exhaustion(uint64_t suite) {
  return is_xpn(suite) ? 0xC000000000000000ULL : 0xC0000000ULL;
}

struct ParticipantConfig {
  std::vector<uint8_t> ckn;  // 1..32 octets
  SecretBytes cak;           // 16 or 32 octets
  uint8_t key_server_priority = 16;  // lower wins; 0xFF: never key server (9.5.1)
  std::array<uint8_t, 8> sci{};      // our SCI: the wire port's MAC and port 1
  Mac own_mac{};
  Mac group_address{0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};  // nearest non-TPMR bridge (11.1.1)
  uint64_t cipher_suite = kGcmAes128;  // what we distribute as key server and accept from one
  Millis hello_time{2000};             // MKA Hello Time (9.17 Table 9-3)
  Millis life_time{6000};              // MKA Life Time
  Millis rekey_interval{0};            // key server: a new SAK this often; 0: only on events and command
  bool confidentiality = true;           // false: the SecY is integrity-only (code 0 in the Distributed SAK)
  uint32_t confidentiality_offset = 0;  // octets, 0 | 30 | 50: the SecY's; distributed and required of the key server
};

// The settings of `cfg` without its CA (the CKN and the CAK): what every CA of a keychain shares.
// One list of the fields, so that a new setting reaches every CA.
[[nodiscard]] ParticipantConfig settings_of(const ParticipantConfig& cfg);

// A SAK is named by the key server's MI and its Key Number (9.8).
struct KeyIdentifier {
  MemberIdentifier ks_mi{};
  uint32_t kn = 0;
  bool operator==(const KeyIdentifier&) const = default;
};

struct SendMkpdu {
  std::vector<uint8_t> frame;
};
// Receive with this SAK from every live peer's SC (make-before-break: before anyone sends with it).
struct InstallRxSak {
  KeyIdentifier id;
  uint8_t an = 0;
  uint64_t cipher_suite = kGcmAes128;
  SecretBytes sak;
  // XPN suites only (zero/empty otherwise): the SAK's salt, and each live peer's SC with its SSCI.
  Salt salt{};
  std::vector<SsciOf> peer_sscis;
};
// Transmit with this SAK from now on (every live peer receives with it).
struct InstallTxSak {
  KeyIdentifier id;
  uint8_t an = 0;
  uint64_t cipher_suite = kGcmAes128;
  SecretBytes sak;
  Salt salt{};        // XPN suites only
  uint32_t ssci = 0;  // XPN suites only: our transmit SC's SSCI
};
// This SAK is no longer used by anyone: remove its SAs and wipe it.
struct RetireSak {
  KeyIdentifier id;
  uint8_t an = 0;
};
struct PeerLive {
  MemberIdentifier mi{};
  std::array<uint8_t, 8> sci{};
};
struct PeerLost {
  MemberIdentifier mi{};
  std::array<uint8_t, 8> sci{};
};

// The status codes that switch and cloud MACsec ports report.
enum class MkaFailure : uint8_t {
  CakMismatch,     // an MKPDU with our CKN whose ICV does not verify
  CknMismatch,     // MKPDUs from a member of another CA
  CipherMismatch,  // the key server distributes a suite we are not configured for
};
struct Failure {
  MkaFailure reason = MkaFailure::CakMismatch;
  std::string detail;  // names the CKN, never the CAK
};

using Event = std::variant<SendMkpdu, InstallRxSak, InstallTxSak, RetireSak, PeerLive, PeerLost, Failure>;

struct Counters {
  uint64_t mkpdus_sent = 0, mkpdus_received = 0, mkpdus_valid = 0;
  uint64_t bad_icv = 0, other_ckn = 0, malformed = 0, replayed_mn = 0, own_looped = 0, from_unknown_key_server = 0;
  uint64_t saks_distributed = 0, saks_installed = 0;
  uint64_t watchdog_restarts = 0;  // the state machine was stuck (no live peer or no SAK in use) and restarted
};

struct PeerView {
  MemberIdentifier mi{};
  uint32_t mn = 0;
  std::array<uint8_t, 8> sci{};
  uint8_t priority = 0;
  bool live = false;
  bool key_server = false;  // the peer says it is the key server
  // The lowest PN the peer reports for the key it names latest (64 bits: SAK Use's low half
  // and, for an XPN suite, the XPN parameter set's high half); 0 before it reports one.
  uint64_t latest_lowest_pn = 0;
};

struct ParticipantStatus {
  MemberIdentifier mi{};
  uint32_t mn = 0;
  bool key_server = false;  // we are the elected key server
  std::vector<PeerView> peers;
  std::optional<KeyIdentifier> latest_key, old_key;
  uint8_t latest_an = 0;
  bool latest_tx = false, latest_rx = false;
  uint64_t latest_lowest_pn = 1;  // what we report for it
  std::optional<Failure> last_failure;
  Counters counters;
};

class Participant {
 public:
  // nullopt when the CAK or CKN cannot be used (the length rules of 9.3.1).
  static std::optional<Participant> create(ParticipantConfig cfg);

  // Sends the first MKPDU.
  void start(TimePoint now, std::vector<Event>& out);
  // An EAPOL frame from the wire port (untagged, from the destination MAC on).
  void receive(std::span<const uint8_t> frame, TimePoint now, std::vector<Event>& out);
  // Timers: hello, peer life, rekey. Call at next_deadline() or later.
  void tick(TimePoint now, std::vector<Event>& out);
  // Key server: distribute a new SAK now (operator command, PN exhaustion). false if not key server.
  bool rekey(TimePoint now, std::vector<Event>& out);
  // The dataplane's lowest PN in use with a SAK: like wpa_supplicant, the transmit SA's next PN
  // as read one hello time ago, less one (802.1X-2020 9.8: the lowest PN used for transmission
  // within the last MKA Hello Time). Reported in SAK Use (and the XPN set); on the key server a
  // PN past pn_exhaustion() of the latest key distributes a new SAK. Unknown keys are ignored.
  void set_lowest_pn(const KeyIdentifier& id, uint64_t lowest_pn, TimePoint now, std::vector<Event>& out);
  [[nodiscard]] TimePoint next_deadline() const;
  // ANs that another participant on the same port (another CA of the keychain) has SAKs on: as
  // key server we never distribute a SAK on one of them, so two CAs' SAs never share an AN.
  void set_busy_ans(uint8_t mask) { busy_ans_ = mask; }
  // The ANs of the SAKs we hold (bit n: AN n).
  [[nodiscard]] uint8_t ans_in_use() const;
  // Every live peer receives and transmits with our latest SAK, and so do we.
  [[nodiscard]] bool latest_in_use_by_all() const;
  // The transmit install of the SAK we transmit with, again (another CA hands transmit back to this one).
  [[nodiscard]] std::optional<InstallTxSak> current_tx() const;
  // Leaves the CA: every SAK is retired (RetireSak events); no MKPDU is sent after this.
  void stop(std::vector<Event>& out);
  [[nodiscard]] ParticipantStatus status() const;

 private:
  struct Peer {
    PeerView view;
    TimePoint expires;
    std::optional<SakUse> sak_use;
  };
  struct Key {
    KeyIdentifier id;
    uint8_t an = 0;
    uint64_t cipher_suite = kGcmAes128;
    SecretBytes sak;
    Salt salt{};
    uint64_t lowest_pn = 1;
    bool tx = false;  // we transmit with it
    bool rx = true;   // we receive with it
  };

  explicit Participant(ParticipantConfig cfg);
  void send(TimePoint now, std::vector<Event>& out);
  [[nodiscard]] Mkpdu build() const;
  void handle(const DecodedMkpdu& d, TimePoint now, std::vector<Event>& out);
  void update_peer(const Mkpdu& p, TimePoint now, std::vector<Event>& out, bool& changed);
  [[nodiscard]] bool lists_us_recently(const Mkpdu& p) const;
  void elect(TimePoint now, std::vector<Event>& out);
  void distribute(TimePoint now, std::vector<Event>& out);
  void accept_distributed(const Peer& from, const DistributedSak& d, std::vector<Event>& out);
  void advance_keys(std::vector<Event>& out);
  [[nodiscard]] bool peers_use_latest(bool need_tx) const;
  void drop_all_keys(std::vector<Event>& out);
  // The watchdog's clean restart: keys retired, peers forgotten, a new MI, MN from 1.
  void restart(TimePoint now, std::vector<Event>& out);
  void note_progress(TimePoint now);
  void report(MkaFailure reason, std::string detail, std::vector<Event>& out);
  [[nodiscard]] const Peer* elected_peer() const;
  [[nodiscard]] size_t live_count() const;
  [[nodiscard]] InstallRxSak rx_install(const Key& key) const;
  [[nodiscard]] std::vector<SsciOf> sscis() const;  // ours and every live peer's, in SSCI order

  ParticipantConfig cfg_;
  SecretBytes ick_, kek_;
  MemberIdentifier mi_{};
  uint32_t mn_ = 0;                                 // the last MN we sent
  std::deque<std::pair<TimePoint, uint32_t>> sent_;  // (when, MN) over the last life time
  std::vector<Peer> peers_;
  bool key_server_ = false;
  TimePoint next_hello_{};
  TimePoint next_rekey_{TimePoint::max()};
  // Keys: latest (the newest distributed) and old (the one it replaces), per 9.8.
  std::optional<Key> latest_, old_;
  std::optional<DistributedSak> distributing_;  // key server: sent until every live peer uses it
  uint32_t next_kn_ = 1;
  uint8_t busy_ans_ = 0;
  TimePoint last_ok_{};  // the last time a live peer and we used a SAK (or the last (re)start)
  std::optional<Failure> last_failure_;
  Counters counters_;
};

}  // namespace linkcrypt::mka
