// What an exchange unit may use of its session: config and keys, the SA set, message windows, queue, outcome (RFC 7296 2.1-2.3).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ike_auth.h"
#include "ike_codec.h"
#include "ike_nat.h"
#include "ike_sa_set.h"
#include "ike_session.h"

namespace linkcrypt::ike {

// Parsed authentication keys, shared by every session of one Config: OpenSSL 3's PEM/DER
// decoders cost about a millisecond, more than the whole rest of a PSK handshake.
struct PreparedAuth {
  std::shared_ptr<LongTermKey> key;  // the configured one, or made in process from the key files
  EvpPkeyPtr peer_key;  // RawPublicKey: the configured peer key
};
std::shared_ptr<const PreparedAuth> prepare_auth(const std::shared_ptr<const Config>& cfg);

// The session as its exchange units see it. The session owns the message windows (message IDs,
// sealing, the cached answer, retransmission), the SA set and the queue; a unit builds and
// processes its own messages through this and touches nothing else of the session.
class ExchangeContext {
 public:
  // ---- configuration and keys
  [[nodiscard]] virtual const Config& config() const = 0;
  [[nodiscard]] virtual const PreparedAuth& auth() const = 0;

  // ---- the SA set, NAT detection, counters
  virtual SaSet& sas() = 0;
  virtual NatDetection& nat() = 0;
  virtual SessionCounters& counters() = 0;

  // ---- the message window of an IKE SA
  // Sends a new request on `sa`; `r` waits as its pending request until the answer, and the
  // session retransmits it meanwhile.
  template <typename R>
  void send_request(IkeSa& sa, R r, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out) {
    sa.pending.emplace(std::move(r));
    transmit_pending(sa, ex, inner, now, out);
  }
  // A request sent once, never retransmitted: the session ends with it (2.21.2).
  virtual void send_last_request(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, Output& out) = 0;
  // Answers the peer's request `mid` on `sa`; the answer is kept for its retransmission (2.1).
  virtual void send_response(IkeSa& sa, ExchangeType ex, uint32_t mid, const ChainBuilder& inner, Output& out) = 0;
  // Sends bytes already built (IKE_SA_INIT goes unencrypted).
  virtual void send_bytes(std::vector<uint8_t> bytes, Output& out) = 0;
  // Answers the peer's request `mid` with one notify (an error, or TEMPORARY_FAILURE: retry later).
  void answer_notify(IkeSa& sa, ExchangeType ex, uint32_t mid, NotifyType t, std::span<const uint8_t> data,
                     Output& out) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    send_response(sa, ex, mid, c, out);
  }

  // ---- the request queue
  virtual void enqueue(QueuedRequest r, TimePoint now, Output& out) = 0;
  virtual void enqueue_first(QueuedRequest r) = 0;  // next, ahead of the others
  virtual void retry_at(QueuedRequest r, TimePoint when) = 0;  // after a TEMPORARY_FAILURE (2.25)

  // ---- the session's state and outcome
  virtual void handshake_sent(SessionState s) = 0;  // InitSent, AuthSent
  virtual void mark_established() = 0;
  // Reports `r` and ends the session (every request in flight and queued is dropped).
  virtual void fail(FailReason r, std::string detail, Output& out, bool by_peer = false,
                    std::optional<ProposalMismatch> props = std::nullopt) = 0;
  // The IKE SA is deleted: the session is Closed, its children, requests and queue are gone.
  virtual void close_session() = 0;

 protected:
  ~ExchangeContext() = default;
  // Seals and sends `sa`'s pending request under the next message ID, and schedules its retransmission.
  virtual void transmit_pending(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out) = 0;
};

}  // namespace linkcrypt::ike
