// IKE SA rekey and its collisions (RFC 7296 2.18, 2.8.2) and INFORMATIONAL delete/liveness (1.4, 2.4).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- IKE SA rekey ----------------------------------------------------------------------------

void SessionImpl::start_rekey_ike(TimePoint now, Output& out) {
  if (ike_->rekeying || ike_->deleting) return;
  RekeyIkeRequest p;
  p.new_ike_spi = random_u64();
  p.nonce = random_vec(kNonceLen);
  const DhGroup group = ike_->suite.group;
  p.dh = DhKey::generate(group);
  if (!p.dh) return;
  p.offer = build_ike_offer(cfg_->ike_proposals, spi_bytes(p.new_ike_spi));
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(group), p.dh->public_value()));
  ike_->rekeying = true;
  send_request(*ike_, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void SessionImpl::on_rekey_ike_response(IkeSa& sa, RekeyIkeRequest& p, const Payloads& in, TimePoint now, Output& out) {
  sa.rekeying = false;
  auto failed_op = [&](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure)) {
    if (p.peer_ike_rekey) return;  // the peer's own rekey went through: nothing to retry
    uint8_t jitter = 0;
    (void)random_bytes({&jitter, 1});
    retry_at_ = now + cfg_->timers.retransmit_base + Millis(jitter * 4);
    retry_req_ = QueuedRequest{ReqKind::RekeyIke, 0};
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    failed_op(FailReason::NoProposalChosen, "peer refused our IKE rekey proposal");
    return;
  }
  if (const auto* e = first_error(in)) {
    failed_op(FailReason::MessageRejected, std::string("peer refused the IKE rekey: ") + notify_name(e->type));
    return;
  }
  const auto suite = in.sa ? validate_ike_choice(*in.sa, p.offer) : std::nullopt;
  std::optional<SecretBytes> g_ir;
  if (!suite || validate_nonce(in) != Invalid::Ok || (*in.sa)[0].spi.size() != 8 || !in.ke || suite->group != p.dh->group() ||
      in.ke->group != static_cast<uint16_t>(suite->group) || !(g_ir = p.dh->derive(in.ke->data))) {
    failed_op(FailReason::MessageRejected, "malformed IKE rekey response");
    return;
  }
  auto nsa = std::make_unique<IkeSa>();
  nsa->spi_i = p.new_ike_spi;
  nsa->spi_r = spi_u64((*in.sa)[0].spi);
  nsa->initiator = true;
  nsa->suite = *suite;
  if (!derive_ike_keys(*suite, g_ir->view(), p.nonce, *in.nonce, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                       nsa->keys)) {
    fail(FailReason::InternalError, "key derivation failed", out);
    return;
  }
  if (p.peer_ike_rekey) {
    // RFC 7296 2.8.2: the exchange holding the lowest of the four nonces made the redundant IKE
    // SA; its initiator deletes that SA, the other initiator deletes the old one. `sa` is the old
    // SA (already retiring, since we answered the peer's rekey on it).
    const auto& pr = *p.peer_ike_rekey;
    std::span<const uint8_t> ours_low = nonce_less(p.nonce, *in.nonce) ? std::span<const uint8_t>(p.nonce)
                                                                        : std::span<const uint8_t>(*in.nonce);
    std::span<const uint8_t> theirs_low =
        nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
    if (nonce_less(ours_low, theirs_low)) {
      IkeSa* redundant = nsa.get();
      retire(std::move(nsa));
      start_delete_ike(*redundant, now, out);
      return;
    }
    // Ours survives: the peer's new SA is redundant and the peer deletes it.
    out.events.emplace_back(IkeRekeyed{ike_->spi_i, ike_->spi_r, nsa->spi_i, nsa->spi_r});
    std::unique_ptr<IkeSa> theirs = std::move(ike_);
    ike_ = std::move(nsa);
    if (theirs.get() != pr.created || !theirs->peer_deleted) retire(std::move(theirs));
    start_delete_ike(sa, now, out);
    return;
  }
  out.events.emplace_back(IkeRekeyed{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r});
  retire(std::move(ike_));
  ike_ = std::move(nsa);
  // RFC 7296 2.18: the rekey initiator deletes the old IKE SA.
  start_delete_ike(*retiring_.back(), now, out);
}

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
