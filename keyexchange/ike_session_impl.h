// Internal state of one peer's IKE SA, its child SAs and its in-flight exchanges (RFC 7296 2.1-2.25).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "ike_auth.h"
#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_exchange_auth.h"
#include "ike_exchange_delete.h"
#include "ike_exchange_init.h"
#include "ike_exchange_liveness.h"
#include "ike_exchange_rekey_child.h"
#include "ike_exchange_rekey_ike.h"
#include "ike_keys.h"
#include "ike_proposals.h"
#include "ike_session.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

// Half-open IKE SAs created by one Responder (RFC 7296 2.6); each session holds a token.
class HalfOpenTracker {
 public:
  size_t count = 0;
};

// Responder-side cache of the IKE_SA_INIT reply, so a retransmitted request is answered, not
// turned into a second IKE SA (RFC 7296 2.1).
struct InitReplyCache {
  uint64_t spi_i = 0;
  std::vector<uint8_t> request;
  std::vector<uint8_t> response;
};

struct ChildSa {
  std::vector<TrafficSelector> ts_local, ts_remote;  // negotiated (ESP); reused on rekey
  uint32_t spi_in = 0;   // ours: the peer sends with it, and names it in Delete
  uint32_t spi_out = 0;  // the peer's
  ChildSuite suite;
  uint8_t an = 0;
  bool deleting = false;
  bool rekeying = false;      // our CREATE_CHILD_SA for it is in flight
  uint32_t replaced_by = 0;   // spi_in of the child that replaces it
};

struct IkeSa;

// Kinds of request, in the order of the Request alternatives below (QueuedRequest names one).
enum class ReqKind : uint8_t { Init, Auth, RekeyChild, RekeyIke, DeleteChild, DeleteIke, Dpd, NotifyError };

// ---- in-flight requests: one state type per request kind -------------------------------------

// IKE_SA_INIT, IKE_AUTH, child rekey, IKE rekey, delete and liveness are exchange units of
// their own (ike_exchange_*.h).
struct NotifyErrorRequest {};  // INFORMATIONAL AUTHENTICATION_FAILED (2.21.2)

using Request = std::variant<InitExchange, AuthExchange, RekeyChildExchange, RekeyIkeExchange, DeleteChildExchange,
                             DeleteIkeExchange, LivenessExchange, NotifyErrorRequest>;
static_assert(std::variant_size_v<Request> == static_cast<size_t>(ReqKind::NotifyError) + 1);

// The one request in flight on an IKE SA (window size 1, RFC 7296 2.3) and its retransmission.
struct Pending {
  // From one alternative, never from another Request: GCC 12 -O3 warns (falsely) on moving a
  // whole variant of these types.
  template <typename R>
  explicit Pending(R&& r) : req(std::forward<R>(r)) {}
  Request req;
  uint32_t mid = 0;
  std::vector<uint8_t> bytes;
  TimePoint next_retx{};
  Millis interval{0};
  uint32_t retries = 0;
  [[nodiscard]] ReqKind kind() const { return static_cast<ReqKind>(req.index()); }
};

struct IkeSa {
  uint64_t spi_i = 0, spi_r = 0;
  bool initiator = false;  // we are the original initiator of this IKE SA (I flag, 2.18)
  IkeSuite suite;
  IkeKeys keys;
  uint32_t next_mid = 0;
  uint32_t peer_next_mid = 0;
  bool has_cached = false;
  uint32_t cached_mid = 0;
  std::vector<uint8_t> cached_response;
  uint64_t iv_counter = 0;
  bool deleting = false;
  std::optional<Pending> pending;
  bool rekeying = false;  // our IKE rekey of this SA is in flight
  // Created by answering a peer IKE rekey while ours was in flight (2.8.2); peer_deleted: the
  // peer already deleted it as redundant before our own answer arrived.
  bool collision_product = false;
  bool peer_deleted = false;
};

// Parsed authentication keys, shared by every session of one Config: OpenSSL 3's PEM/DER
// decoders cost about a millisecond, more than the whole rest of a PSK handshake.
struct PreparedAuth {
  std::shared_ptr<LongTermKey> key;  // the configured one, or made in process from the key files
  EvpPkeyPtr peer_key;  // RawPublicKey: the configured peer key
};
std::shared_ptr<const PreparedAuth> prepare_auth(const std::shared_ptr<const Config>& cfg);

struct QueuedRequest {
  ReqKind kind;
  uint32_t child_spi = 0;
};

class SessionImpl {
 public:
  SessionImpl(std::shared_ptr<const Config> cfg, Role role, Endpoint remote);
  ~SessionImpl();

  Output start(TimePoint now);
  Output on_message(std::span<const uint8_t> msg, TimePoint now);
  Output on_timer(TimePoint now);
  Output rekey_child(TimePoint now);
  Output rekey_ike(TimePoint now);
  Output close(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  bool owns(const HeaderInfo& h) const;

  // Responder entry: the first IKE_SA_INIT (already checked by the Responder). Returns false
  // when the request was rejected (the notify reply is in out).
  bool on_init_request(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out);

  // Fuzzing/test hook: an SK message on the current IKE SA whose decrypted content is exactly
  // `chain` (first payload type `first`), as this side would send it.
  std::vector<uint8_t> seal_raw_for_test(ExchangeType ex, bool response, uint32_t mid, PayloadType first,
                                         std::span<const uint8_t> chain);

  // Test hook: our inbound SPI of the newest live child (0 if none).
  uint32_t current_child_spi_for_test() const {
    for (auto it = children_.rbegin(); it != children_.rend(); ++it)
      if (!it->deleting) return it->spi_in;
    return 0;
  }

  SessionState state_ = SessionState::Idle;
  SessionCounters counters_;
  std::unique_ptr<IkeSa> ike_;
  // IKE SAs on their way out: the rekeyed-away one until its Delete completes, and after a
  // 2.8.2 collision the redundant new one until its creator deletes it.
  std::vector<std::unique_ptr<IkeSa>> retiring_;
  // The last answers of recently deleted IKE SAs, for retransmitted requests.
  struct Tombstone {
    uint64_t spi_i, spi_r;
    uint32_t mid;
    std::vector<uint8_t> response;
  };
  std::vector<Tombstone> graveyard_;
  std::shared_ptr<HalfOpenTracker> half_open_;
  bool half_open_counted_ = false;
  std::shared_ptr<InitReplyCache> init_cache_;

 private:
  // Exchange units: each builds its request, processes the answer, resolves its collisions.
  friend struct AuthExchange;
  friend struct InitExchange;
  friend struct RekeyChildExchange;
  friend struct RekeyIkeExchange;

  // message building
  std::vector<uint8_t> seal(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid, const ChainBuilder& inner);
  std::vector<uint8_t> seal_chain(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid, PayloadType first,
                                  std::span<const uint8_t> chain);
  bool open(IkeSa& sa, std::span<const uint8_t> msg, const Message& m, Payloads& inner);
  template <typename R>
  void send_request(IkeSa& sa, R r, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out) {
    sa.pending.emplace(std::move(r));
    transmit_new_request(sa, ex, inner, now, out);
  }
  void transmit_new_request(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out);
  void send_response(IkeSa& sa, ExchangeType ex, uint32_t mid, const ChainBuilder& inner, Output& out);
  void emit_send(std::vector<uint8_t> bytes, Output& out) const;
  std::vector<uint8_t> nat_hash(uint64_t spi_i, uint64_t spi_r, const Endpoint& ep) const;
  void add_nat_notifies(ChainBuilder& c, uint64_t spi_i, uint64_t spi_r) const;
  void check_nat(const Payloads& p, uint64_t spi_i, uint64_t spi_r, Output& out);
  void add_ts(ChainBuilder& c, const std::vector<TrafficSelector>* tsi, const std::vector<TrafficSelector>* tsr) const;
  void add_sci(ChainBuilder& c) const;

  // handshake
  void on_init_response(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out);

  // child SAs
  std::optional<ChildKeysReady> install_child(const ChildSuite& suite, uint32_t spi_in, uint32_t spi_out,
                                              bool we_initiated, std::span<const uint8_t> g_ir,
                                              std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                              const ChildSa* replaces);
  ChildSa* find_child_in(uint32_t spi_in);
  ChildSa* find_child_out(uint32_t spi_out);
  void on_create_child_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out);
  void start_delete_child(uint32_t spi_in, TimePoint now, Output& out);
  void start_delete_ike(IkeSa& sa, TimePoint now, Output& out);
  void on_informational_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out);
  void on_informational_response(IkeSa& sa, Pending& p, const Payloads& in, TimePoint now, Output& out);

  // plumbing
  void dispatch_request(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out);
  void dispatch_response(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out);
  void pump_queue(TimePoint now, Output& out);
  void enqueue(QueuedRequest r, TimePoint now, Output& out);
  void fail(FailReason r, std::string detail, Output& out, bool by_peer = false,
            std::optional<ProposalMismatch> props = std::nullopt);
  void mark_established();
  void retransmit(IkeSa& sa, TimePoint now, Output& out);
  void retire(std::unique_ptr<IkeSa> sa) { retiring_.push_back(std::move(sa)); }
  void drop_retiring(const IkeSa* sa);
  bool ike_rekey_in_flight() const;

  std::shared_ptr<const Config> cfg_;
  Role role_;
  Endpoint local_;
  Endpoint remote_;
  std::shared_ptr<const PreparedAuth> auth_;
  std::vector<ChildSa> children_;
  std::deque<QueuedRequest> queue_;
  std::optional<TimePoint> retry_at_;   // a TEMPORARY_FAILURE back-off
  std::optional<QueuedRequest> retry_req_;
  TimePoint last_rx_{};
  TimePoint created_{};

  // Responder: our half of IKE_AUTH, waiting for the peer's request (holds what IKE_SA_INIT
  // left for it to sign and derive from).
  std::optional<AuthExchange> awaiting_auth_;
  uint64_t peer_sci_ = 0;
  bool nat_ = false;
  bool nat_local_ = false;
  bool nat_remote_ = false;
  std::optional<DhGroup> child_ke_group_;  // after INVALID_KE_PAYLOAD on a child rekey
  bool float_announced_ = false;
};

}  // namespace linkcrypt::ike
