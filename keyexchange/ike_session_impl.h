// One peer's session: the message windows and retransmission over its SA set; the exchanges are units (ike_exchange_*.h) (RFC 7296 2.1-2.4).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "ike_codec.h"
#include "ike_exchange_context.h"
#include "ike_nat.h"
#include "ike_sa_set.h"
#include "ike_session.h"

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

// The session runs the message windows of its IKE SAs (message IDs, sealing, cached answers,
// retransmission) and the request queue over its SA set; each exchange is a unit of its own
// (ike_exchange_*.h) that sees the session only as an ExchangeContext.
class SessionImpl final : private ExchangeContext {
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
    for (auto it = sas_.children.rbegin(); it != sas_.children.rend(); ++it)
      if (!it->deleting) return it->spi_in;
    return 0;
  }

  SessionState state_ = SessionState::Idle;
  SessionCounters counters_;
  SaSet sas_;
  std::shared_ptr<HalfOpenTracker> half_open_;
  bool half_open_counted_ = false;
  std::shared_ptr<InitReplyCache> init_cache_;

 private:
  // ---- ExchangeContext: what the exchange units get
  const Config& config() const override { return *cfg_; }
  const PreparedAuth& auth() const override { return *auth_; }
  SaSet& sas() override { return sas_; }
  NatDetection& nat() override { return nat_; }
  SessionCounters& counters() override { return counters_; }
  void transmit_pending(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out) override;
  void send_last_request(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, Output& out) override;
  void send_response(IkeSa& sa, ExchangeType ex, uint32_t mid, const ChainBuilder& inner, Output& out) override;
  void send_bytes(std::vector<uint8_t> bytes, Output& out) override;
  void enqueue(QueuedRequest r, TimePoint now, Output& out) override;
  void enqueue_first(QueuedRequest r) override { queue_.push_front(r); }
  void retry_at(QueuedRequest r, TimePoint when) override {
    retry_at_ = when;
    retry_req_ = r;
  }
  void handshake_sent(SessionState s) override { state_ = s; }
  void mark_established() override;
  void fail(FailReason r, std::string detail, Output& out, bool by_peer = false,
            std::optional<ProposalMismatch> props = std::nullopt) override;
  void close_session() override;

  // ---- message windows
  std::vector<uint8_t> seal(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid, const ChainBuilder& inner);
  std::vector<uint8_t> seal_chain(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid, PayloadType first,
                                  std::span<const uint8_t> chain);
  bool open(IkeSa& sa, std::span<const uint8_t> msg, const Message& m, Payloads& inner);
  void dispatch_request(IkeSa& sa, const Message& m, const Payloads& in, Output& out);
  void dispatch_response(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out);
  // ---- retransmission and the queue
  void retransmit(IkeSa& sa, TimePoint now, Output& out);
  void pump_queue(TimePoint now, Output& out);

  std::shared_ptr<const Config> cfg_;
  Role role_;
  std::shared_ptr<const PreparedAuth> auth_;
  NatDetection nat_;
  std::deque<QueuedRequest> queue_;
  std::optional<TimePoint> retry_at_;   // a TEMPORARY_FAILURE back-off
  std::optional<QueuedRequest> retry_req_;
  TimePoint last_rx_{};
  TimePoint created_{};
  // Responder: our half of IKE_AUTH, waiting for the peer's request (holds what IKE_SA_INIT
  // left for it to sign and derive from).
  std::optional<AuthExchange> awaiting_auth_;
};

}  // namespace linkcrypt::ike
