// Public sans-I/O IKEv2 API: configuration, the per-peer Session, the Responder listener, events.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "secret.h"

namespace linkcrypt::ike {

// Time is always an input (design.md §2): the caller passes its steady-clock reading.
using TimePoint = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

enum class Role : uint8_t { Initiator, Responder };

// IANA IKEv2 Transform Type 3 (PRF) and Type 4 (Key Exchange Method) values we implement.
enum class Prf : uint16_t { HmacSha2_256 = 5, HmacSha2_384 = 6, HmacSha2_512 = 7 };
enum class DhGroup : uint16_t { Ecp256 = 19, Ecp384 = 20, Curve25519 = 31 };

// One IKE SA proposal (RFC 7296 3.3): ENCR_AES_GCM_16 (RFC 5282) with these key sizes, any of
// these PRFs and groups. The first group is the one whose KE payload the initiator sends.
struct IkeProposal {
  std::vector<uint16_t> aes_gcm16_key_bits{256, 128};
  std::vector<Prf> prfs{Prf::HmacSha2_256, Prf::HmacSha2_384, Prf::HmacSha2_512};
  std::vector<DhGroup> groups{DhGroup::Curve25519, DhGroup::Ecp256, DhGroup::Ecp384};
};

// 802.1AE-2018 Table 14-1 cipher suites, carried as private-use ENCR transform IDs
// (docs/protocol.md).
enum class MacsecSuite : uint16_t {
  GcmAes128 = 1024,
  GcmAes256 = 1025,
  GcmAesXpn128 = 1026,
  GcmAesXpn256 = 1027,
};

enum class ChildKind : uint8_t { Macsec, Esp };

// The MACsec child SA: suites in preference order, our SCI (sent to the peer), the
// confidentiality offset and whether frames are encrypted (E=C=1) or integrity-only.
struct MacsecChildConfig {
  std::vector<MacsecSuite> suites{MacsecSuite::GcmAesXpn256, MacsecSuite::GcmAesXpn128};
  uint64_t local_sci = 0;
  uint8_t confidentiality_offset = 0;  // 0, 30 or 50 (802.1AE 10.7.24)
  bool confidentiality = true;
};

// An IPv4/IPv6 traffic selector (RFC 7296 3.13.1), addresses in network order.
struct TrafficSelector {
  uint8_t ts_type = 7;  // TS_IPV4_ADDR_RANGE (7) or TS_IPV6_ADDR_RANGE (8)
  uint8_t ip_protocol = 0;
  uint16_t start_port = 0;
  uint16_t end_port = 65535;
  std::vector<uint8_t> start_addr{0, 0, 0, 0};
  std::vector<uint8_t> end_addr{255, 255, 255, 255};
};

// A plain ESP child (RFC 4303 + RFC 4106 AES-GCM-16) used for strongSwan interop: it proves
// our KEYMAT derivation byte-for-byte against a second implementation.
struct EspChildConfig {
  std::vector<uint16_t> aes_gcm16_key_bits{128, 256};
  std::vector<TrafficSelector> ts_local{TrafficSelector{}};
  std::vector<TrafficSelector> ts_remote{TrafficSelector{}};
};

struct ChildConfig {
  ChildKind kind = ChildKind::Macsec;
  MacsecChildConfig macsec;
  EspChildConfig esp;
  // Key-exchange groups offered in CREATE_CHILD_SA for PFS (RFC 7296 1.3.1); the first is
  // used. Empty disables PFS. The IKE_AUTH child never has a KE (RFC 7296 1.2).
  std::vector<DhGroup> pfs_groups{DhGroup::Curve25519};
};

// RFC 7296 3.5 ID types we send and compare.
enum class IdType : uint8_t { Ipv4Addr = 1, Fqdn = 2, Rfc822Addr = 3, Ipv6Addr = 5, DerAsn1Dn = 9, KeyId = 11 };

struct Identity {
  IdType type = IdType::Fqdn;
  std::vector<uint8_t> data;
  static Identity fqdn(std::string_view name) { return {IdType::Fqdn, {name.begin(), name.end()}}; }
};

enum class AuthMethod : uint8_t {
  Psk,           // RFC 7296 2.15 shared key MIC
  RawPublicKey,  // RFC 7427 digital signature, CERT encoding 15 (RFC 7670)
  Certificate,   // RFC 7427 digital signature, X.509 (CERT encoding 4) checked against a CA
};

class LongTermKey;  // long_term_key.h

struct AuthConfig {
  AuthMethod method = AuthMethod::Psk;
  // Our long-term key as a service (a token, a key holder, or in process). When null, the
  // sessions make an in-process one from psk / private_key_pem below.
  std::shared_ptr<LongTermKey> key;
  SecretBytes psk;                        // Psk: the shared key (both directions)
  SecretBytes private_key_pem;            // RawPublicKey/Certificate: our Ed25519 or P-256 key
  std::vector<uint8_t> peer_public_key_der;  // RawPublicKey: expected SubjectPublicKeyInfo
  std::vector<uint8_t> local_cert_der;    // Certificate: our end-entity certificate
  std::vector<uint8_t> ca_cert_der;       // Certificate: the trust anchor for the peer's cert
  // Certificate validity is checked at this Unix time (seconds); nullopt lets OpenSSL use the
  // system time (the only wall-clock reading, and only for X.509 validity).
  std::optional<int64_t> cert_check_time;
};

// Where the IKE messages travel, for the NAT_DETECTION_*_IP hashes (RFC 7296 2.23).
struct Endpoint {
  std::vector<uint8_t> address;  // 4 or 16 octets, network order
  uint16_t port = 500;
};

struct Timers {
  Millis retransmit_base{500};    // first retransmission after this long (RFC 7296 2.1)
  uint32_t backoff_factor = 2;    // exponential back-off
  Millis retransmit_max{8000};    // cap of one interval
  uint32_t retransmit_limit = 7;  // tries after the first before PeerUnreachable/PeerDead
  Millis dpd_interval{30000};     // idle time before a liveness check; 0 disables
  Millis half_open_timeout{30000};  // responder drops an un-authenticated IKE SA after this
};

// RFC 8784 post-quantum preshared key: an identity the peers agree on and at least 32 octets.
struct Ppk {
  std::string id;  // the PPK_ID (sent as PPK_ID_FIXED), 1..kMaxPpkIdLen octets
  SecretBytes key;
};
inline constexpr size_t kMinPpkLen = 32;     // RFC 8784 3: at least 256 bits of entropy
inline constexpr size_t kMaxPpkIdLen = 255;  // fits one notify comfortably; our config limit

struct PpkConfig {
  // The PPKs we hold. As initiator we name the first; as responder we accept any of them
  // (two during a rotation: docs/security.md).
  std::vector<Ppk> keys;
  // Without a PPK the IKE SA fails (PpkRequired / PpkUnknown); otherwise we fall back to the
  // un-PPK'd keys (NO_PPK_AUTH) and the IkeUp event says so.
  bool required = false;
  [[nodiscard]] const Ppk* find(std::span<const uint8_t> id) const {
    for (const auto& k : keys)
      if (k.id.size() == id.size() && std::equal(id.begin(), id.end(), k.id.begin())) return &k;
    return nullptr;
  }
};

struct Config {
  Role role = Role::Initiator;
  Identity local_id;
  std::optional<Identity> remote_id;  // if set, the peer's IDi/IDr must equal it
  AuthConfig auth;
  PpkConfig ppk;
  std::vector<IkeProposal> ike_proposals{IkeProposal{}};
  ChildConfig child;
  Timers timers;
  Endpoint local;
  Endpoint remote;
};

// ---------------------------------------------------------------------------------------------
// Outputs

// A datagram to send to the peer. to_nat_port: send from/to UDP 4500 with the non-ESP marker
// (the transport adds and strips the 4 zero octets, RFC 3948 2.2 / RFC 7296 2.23).
struct Datagram {
  std::vector<uint8_t> bytes;
  bool to_nat_port = false;
};

enum class FailReason : uint8_t {
  NoProposalChosen,        // proposals did not intersect (both offers in the event)
  AuthenticationFailed,    // peer's AUTH wrong, or the peer rejected ours
  CertificateExpired,      // X.509 not valid at the check time
  CertificateUntrusted,    // X.509 does not chain to the configured CA
  PeerIdMismatch,          // peer's ID is not the configured remote_id, or its certificate does not name it
  InvalidKePayload,        // peer asked for a group we cannot offer
  PeerUnreachable,         // retransmissions exhausted before the IKE SA came up
  TsUnacceptable,          // traffic selectors rejected
  MessageRejected,         // malformed or out-of-state message (notify received or sent)
  InternalError,           // crypto library failure
  LongTermKeyUnavailable,  // our PSK / private key could not be used (token gone, wrong PIN, key holder dead)
  PpkRequired,             // RFC 8784: we require a PPK and the peer did not offer USE_PPK or did not use one
  PpkUnknown,              // RFC 8784: the peer named a PPK identity we do not hold (and a PPK is required)
};

// One side's offer, rendered for an operator ("AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519").
struct ProposalMismatch {
  std::vector<std::string> local_offer;
  std::vector<std::string> peer_offer;
};

struct IkeUp {
  uint64_t spi_i = 0, spi_r = 0;
  uint16_t encr_key_bits = 0;
  Prf prf = Prf::HmacSha2_256;
  DhGroup group = DhGroup::Curve25519;
  Identity peer_id;
  bool nat_local = false;   // our address is translated
  bool nat_remote = false;  // the peer's address is translated
  // RFC 8784: the PPK that protects SK_d/SK_pi/SK_pr (empty: none). ppk_fallback: we hold a
  // PPK but the peer used none and it is optional here (the operator gets a warning).
  std::string ppk_id;
  bool ppk_fallback = false;
};

// The transport must float to UDP 4500 (with the non-ESP marker) from now on (RFC 7296 2.23).
struct FloatToNatPort {};

// Keys for one direction of a child SA. For MACsec: sak (16/32 octets) and, for XPN suites,
// salt (12 octets); ssci, sci and an identify the SA. For ESP: key (16/32) and salt (4) are the
// RFC 4106 KEYMAT slices; spi is the ESP SPI of that direction.
struct DirectionKeys {
  uint32_t spi = 0;
  uint64_t sci = 0;
  uint32_t ssci = 0;
  uint8_t an = 0;
  SecretBytes key;
  SecretBytes salt;
};

struct ChildKeysReady {
  ChildKind kind = ChildKind::Macsec;
  MacsecSuite suite = MacsecSuite::GcmAesXpn256;  // MACsec only
  uint16_t esp_key_bits = 0;                      // ESP only
  uint8_t confidentiality_offset = 0;
  bool confidentiality = true;
  bool is_rekey = false;
  bool local_initiated = false;       // we initiated the exchange that created it
  uint32_t replaces_spi = 0;          // rekey: inbound SPI of the child it replaces
  std::optional<DhGroup> pfs_group;   // rekey with fresh ECDHE
  // Non-secret identifier for logs: (initiator's SPI << 32) | responder's SPI of this child.
  uint64_t key_id = 0;
  DirectionKeys outbound;  // we transmit with these
  DirectionKeys inbound;   // we receive with these
};

struct ChildRekeyed {
  uint32_t old_inbound_spi = 0;
  uint32_t new_inbound_spi = 0;
};

struct IkeRekeyed {
  uint64_t old_spi_i = 0, old_spi_r = 0;
  uint64_t new_spi_i = 0, new_spi_r = 0;
};

struct Deleted {
  bool ike = false;             // the IKE SA (and all its children) or one child
  uint32_t child_inbound_spi = 0;
  bool by_peer = false;
};

struct PeerDead {};

// Informational: the peer asked for another group (RFC 7296 1.2) and we retried with it.
struct InvalidKeRetry {
  DhGroup requested{};
};

// Informational: the responder demanded a cookie (RFC 7296 2.6) and we resent with it.
struct CookieRetry {};

// Informational: an IKE_SA_INIT response carried an error notify (or a COOKIE/INVALID_KE_PAYLOAD
// beyond our bound) that we did not act on. Such answers are unauthenticated (RFC 7296 2.21.1):
// anyone on the path can forge them, so the session keeps waiting for a genuine answer.
struct UntrustedNotify {
  uint16_t notify_type = 0;
};

// The RFC 7296 3.10.1 name of a notify type ("NO_PROPOSAL_CHOSEN"), for logs.
[[nodiscard]] std::string_view notify_type_name(uint16_t type);

struct Failed {
  FailReason reason = FailReason::InternalError;
  std::string detail;
  std::optional<ProposalMismatch> proposals;  // NoProposalChosen
  bool by_peer = false;                       // the peer reported it via a notify
};

using Event = std::variant<IkeUp, FloatToNatPort, ChildKeysReady, ChildRekeyed, IkeRekeyed,
                           Deleted, PeerDead, InvalidKeRetry, CookieRetry, UntrustedNotify, Failed>;

struct Output {
  std::vector<Datagram> send;
  std::vector<Event> events;
};

// The routing key of a received message, read without decrypting (RFC 7296 3.1).
struct HeaderInfo {
  uint64_t spi_i = 0, spi_r = 0;
  uint8_t exchange = 0;
  bool is_response = false;
  bool from_initiator = false;
  uint32_t message_id = 0;
};
[[nodiscard]] std::optional<HeaderInfo> peek_header(std::span<const uint8_t> msg);

enum class SessionState : uint8_t { Idle, InitSent, AuthSent, Established, Closing, Closed, Failed };

// Counters of dropped inbound messages, by reason (design.md §6: every drop counted).
struct SessionCounters {
  uint64_t rx_messages = 0;
  uint64_t rx_malformed = 0;
  uint64_t rx_decrypt_failed = 0;
  uint64_t rx_unexpected = 0;      // wrong state / unknown SPI / outside the window
  uint64_t rx_invalid = 0;         // parsed, but a validate_* check failed (ike_validate.h)
  uint64_t rx_retransmits = 0;     // duplicate requests answered from the cache
  uint64_t tx_retransmits = 0;
  uint64_t rx_untrusted_notify = 0;  // unauthenticated IKE_SA_INIT notifies ignored (2.21.1)
};

class SessionImpl;
class HalfOpenTracker;

class Session {
 public:
  // An initiator session (cfg->role must be Initiator); call start() to send IKE_SA_INIT.
  explicit Session(std::shared_ptr<const Config> cfg);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Output start(TimePoint now);
  Output on_message(std::span<const uint8_t> msg, TimePoint now);
  Output on_timer(TimePoint now);
  Output rekey_child(TimePoint now);
  Output rekey_ike(TimePoint now);
  Output close(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;

  [[nodiscard]] SessionState state() const;
  [[nodiscard]] bool established() const;
  // True when this message belongs to this session (current or rekey-pending IKE SA SPIs).
  [[nodiscard]] bool owns(const HeaderInfo& h) const;
  [[nodiscard]] uint64_t spi_i() const;
  [[nodiscard]] uint64_t spi_r() const;
  [[nodiscard]] const SessionCounters& counters() const;

 private:
  friend class Responder;
  explicit Session(std::unique_ptr<SessionImpl> impl);
  std::unique_ptr<SessionImpl> impl_;
};

struct ResponderLimits {
  size_t cookie_threshold = 16;  // half-open IKE SAs above which COOKIE is demanded (2.6)
  size_t half_open_limit = 1024;  // above this, IKE_SA_INIT is dropped
};

// Counters of IKE_SA_INIT requests the listener did not turn into sessions.
struct ResponderCounters {
  uint64_t accepted = 0;
  uint64_t cookies_sent = 0;
  uint64_t cookie_invalid = 0;
  uint64_t malformed = 0;
  uint64_t over_limit = 0;
  uint64_t rejected = 0;  // answered with a notify (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD)
};

// Accepts the first IKE_SA_INIT from a peer we have no session with (RFC 7296 2.6).
class Responder {
 public:
  Responder(std::shared_ptr<const Config> cfg, ResponderLimits limits = {});
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  struct Result {
    std::unique_ptr<Session> session;  // set when a new IKE SA was created
    Output out;                        // the reply (IKE_SA_INIT response, COOKIE, or error)
  };
  // `remote` is where the datagram came from (used for NAT detection and the cookie).
  Result on_init(std::span<const uint8_t> msg, const Endpoint& remote, TimePoint now);
  // Sessions created from now on use cfg (a reload); sessions already made keep theirs.
  void set_config(std::shared_ptr<const Config> cfg);

  [[nodiscard]] size_t half_open() const;
  [[nodiscard]] const ResponderCounters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkcrypt::ike
