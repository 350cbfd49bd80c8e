// IKE SAs on their way out (2.18), the peer's INFORMATIONAL requests, and the answers to ours (1.4, 2.4).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- IKE SAs on their way out ----------------------------------------------------------------

void SessionImpl::drop_retiring(const IkeSa* sa) {
  for (const auto& r : retiring_) {
    if (r.get() != sa || !r->has_cached) continue;
    // Keep its last answer: if that answer (e.g. to the Delete) is lost, the retransmitted
    // request must still get it (RFC 7296 2.1).
    graveyard_.push_back(Tombstone{r->spi_i, r->spi_r, r->cached_mid, r->cached_response});
    if (graveyard_.size() > 4) graveyard_.erase(graveyard_.begin());
  }
  std::erase_if(retiring_, [&](const std::unique_ptr<IkeSa>& r) { return r.get() == sa; });
}

bool SessionImpl::ike_rekey_in_flight() const {
  if (ike_ && ike_->rekeying) return true;
  for (const auto& r : retiring_)
    if (r->rekeying) return true;
  return false;
}

void SessionImpl::start_delete_ike(IkeSa& sa, TimePoint now, Output& out) {
  ChainBuilder c;
  if (!DeleteIkeExchange::build_request(sa, c)) return;
  send_request(sa, DeleteIkeExchange{}, ExchangeType::Informational, c, now, out);
}

// ---- INFORMATIONAL ---------------------------------------------------------------------------

void SessionImpl::on_informational_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  (void)now;
  ChainBuilder c;
  bool delete_ike = false;
  for (const auto& d : in.deletes) {
    if (d.protocol == ProtocolId::Ike)
      delete_ike = true;
    else
      DeleteChildExchange::answer_peer_delete(children_, d, c, out);  // 1.4.1
  }
  const bool auth_failed = in.find_notify(NotifyType::AuthenticationFailed) != nullptr;
  send_response(sa, ExchangeType::Informational, mid, c, out);
  if (auth_failed) {
    fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (!delete_ike) return;
  if (&sa != ike_.get()) {
    drop_retiring(&sa);  // the rekeyed-away (or redundant) IKE SA: its successor carries on
    return;
  }
  if (sa.collision_product && ike_rekey_in_flight()) {
    // 2.8.2: the peer deleted the SA our answer created as redundant before our own rekey
    // answer arrived; that answer brings the surviving SA.
    sa.peer_deleted = true;
    return;
  }
  out.events.emplace_back(Deleted{true, 0, true});
  state_ = SessionState::Closed;
  children_.clear();
  queue_.clear();
  ike_->pending.reset();
  retry_at_.reset();
}

void SessionImpl::on_informational_response(IkeSa& sa, Pending& p, const Payloads& in, TimePoint now, Output& out) {
  (void)in;
  (void)now;
  switch (p.kind()) {
    case ReqKind::DeleteChild:
      std::get<DeleteChildExchange>(p.req).process_response(children_, out);
      return;
    case ReqKind::DeleteIke:
      if (std::get<DeleteIkeExchange>(p.req).process_response(&sa == ike_.get(), out) ==
          DeleteIkeExchange::Outcome::RetiredSaGone) {
        drop_retiring(&sa);
        return;
      }
      state_ = SessionState::Closed;
      children_.clear();
      queue_.clear();
      return;
    case ReqKind::Dpd: std::get<LivenessExchange>(p.req).process_response(); return;
    default: return;  // the error notify was acknowledged
  }
}

}  // namespace linkcrypt::ike
