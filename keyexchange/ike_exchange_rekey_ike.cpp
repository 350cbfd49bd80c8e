// The IKE SA rekey unit: build the CREATE_CHILD_SA request, process its answer, resolve a collision (RFC 7296 2.18, 2.8.2).
#include "ike_exchange_rekey_ike.h"

#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

void RekeyIkeExchange::start(SessionImpl& s, TimePoint now, Output& out) {
  IkeSa& cur = *s.ike_;
  if (cur.rekeying || cur.deleting) return;
  RekeyIkeExchange p;
  p.new_ike_spi = random_u64();
  p.nonce = random_vec(kNonceLen);
  const DhGroup group = cur.suite.group;
  p.dh = DhKey::generate(group);
  if (!p.dh) return;
  p.offer = build_ike_offer(s.cfg_->ike_proposals, spi_bytes(p.new_ike_spi));
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(group), p.dh->public_value()));
  cur.rekeying = true;
  s.send_request(cur, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void RekeyIkeExchange::process_response(SessionImpl& s, IkeSa& sa, const Payloads& in, TimePoint now, Output& out) {
  sa.rekeying = false;
  auto failed_op = [&](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure)) {
    if (peer_ike_rekey) return;  // the peer's own rekey went through: nothing to retry
    uint8_t jitter = 0;
    (void)random_bytes({&jitter, 1});
    s.retry_at_ = now + s.cfg_->timers.retransmit_base + Millis(jitter * 4);
    s.retry_req_ = QueuedRequest{ReqKind::RekeyIke, 0};
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
  const auto suite = in.sa ? validate_ike_choice(*in.sa, offer) : std::nullopt;
  std::optional<SecretBytes> g_ir;
  if (!suite || validate_nonce(in) != Invalid::Ok || (*in.sa)[0].spi.size() != 8 || !in.ke || suite->group != dh->group() ||
      in.ke->group != static_cast<uint16_t>(suite->group) || !(g_ir = dh->derive(in.ke->data))) {
    failed_op(FailReason::MessageRejected, "malformed IKE rekey response");
    return;
  }
  auto nsa = std::make_unique<IkeSa>();
  nsa->spi_i = new_ike_spi;
  nsa->spi_r = spi_u64((*in.sa)[0].spi);
  nsa->initiator = true;
  nsa->suite = *suite;
  if (!derive_ike_keys(*suite, g_ir->view(), nonce, *in.nonce, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                       nsa->keys)) {
    s.fail(FailReason::InternalError, "key derivation failed", out);
    return;
  }
  if (peer_ike_rekey) {
    resolve_collision(s, sa, std::move(nsa), *in.nonce, now, out);
    return;
  }
  out.events.emplace_back(IkeRekeyed{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r});
  s.retire(std::move(s.ike_));
  s.ike_ = std::move(nsa);
  // RFC 7296 2.18: the rekey initiator deletes the old IKE SA.
  s.start_delete_ike(*s.retiring_.back(), now, out);
}

void RekeyIkeExchange::resolve_collision(SessionImpl& s, IkeSa& sa, std::unique_ptr<IkeSa> nsa,
                                         std::span<const uint8_t> peer_nonce, TimePoint now, Output& out) const {
  // RFC 7296 2.8.2: the exchange holding the lowest of the four nonces made the redundant IKE
  // SA; its initiator deletes that SA, the other initiator deletes the old one. `sa` is the old
  // SA (already retiring, since we answered the peer's rekey on it).
  const auto& pr = *peer_ike_rekey;
  std::span<const uint8_t> ours_low = nonce_less(nonce, peer_nonce) ? std::span<const uint8_t>(nonce) : peer_nonce;
  std::span<const uint8_t> theirs_low =
      nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
  if (nonce_less(ours_low, theirs_low)) {
    IkeSa* redundant = nsa.get();
    s.retire(std::move(nsa));
    s.start_delete_ike(*redundant, now, out);
    return;
  }
  // Ours survives: the peer's new SA is redundant and the peer deletes it.
  out.events.emplace_back(IkeRekeyed{s.ike_->spi_i, s.ike_->spi_r, nsa->spi_i, nsa->spi_r});
  std::unique_ptr<IkeSa> theirs = std::move(s.ike_);
  s.ike_ = std::move(nsa);
  if (theirs.get() != pr.created || !theirs->peer_deleted) s.retire(std::move(theirs));
  s.start_delete_ike(sa, now, out);
}

}  // namespace linkcrypt::ike
