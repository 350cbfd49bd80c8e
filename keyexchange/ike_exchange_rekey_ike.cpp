// The IKE SA rekey unit: build the CREATE_CHILD_SA request, process its answer, answer the peer's, resolve a collision (RFC 7296 2.18, 2.8.2).
#include "ike_exchange_rekey_ike.h"

#include "ike_exchange_context.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

void RekeyIkeExchange::start(ExchangeContext& ctx, TimePoint now, Output& out) {
  IkeSa& cur = *ctx.sas().ike;
  if (cur.rekeying || cur.deleting) return;
  RekeyIkeExchange p;
  p.new_ike_spi = random_u64();
  p.nonce = random_vec(kNonceLen);
  const DhGroup group = cur.suite.group;
  p.dh = DhKey::generate(group);
  if (!p.dh) return;
  p.offer = build_ike_offer(ctx.config().ike_proposals, spi_bytes(p.new_ike_spi));
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(group), p.dh->public_value()));
  cur.rekeying = true;
  ctx.send_request(cur, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void RekeyIkeExchange::process_response(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, TimePoint now, Output& out) {
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
    ctx.retry_at(QueuedRequest{ReqKind::RekeyIke, 0}, now + ctx.config().timers.retransmit_base + Millis(jitter * 4));
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
  nsa->ppk_id = sa.ppk_id;  // RFC 8784: the new SKEYSEED comes from the PPK'd SK_d
  if (!derive_ike_keys(*suite, g_ir->view(), nonce, *in.nonce, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                       nsa->keys)) {
    ctx.fail(FailReason::InternalError, "key derivation failed", out);
    return;
  }
  if (peer_ike_rekey) {
    resolve_collision(ctx, sa, std::move(nsa), *in.nonce, now, out);
    return;
  }
  out.events.emplace_back(IkeRekeyed{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r});
  ctx.sas().retire(std::move(ctx.sas().ike));
  ctx.sas().ike = std::move(nsa);
  // RFC 7296 2.18: the rekey initiator deletes the old IKE SA.
  DeleteIkeExchange::start(ctx, *ctx.sas().retiring.back(), now, out);
}

void RekeyIkeExchange::answer_request(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid,
                                      Output& out) {
  SaSet& sas = ctx.sas();
  auto refuse = [&](NotifyType t, std::vector<uint8_t> data = {}) {
    ctx.answer_notify(sa, ExchangeType::CreateChildSa, mid, t, data, out);
  };
  // Collision step (2.8.2): our own IKE rekey in flight is answered, and resolved when ours
  // completes; a child rekey of ours in flight asks the peer to retry later (2.25.2).
  const bool collision = sa.rekeying && sa.pending && sa.pending->kind() == ReqKind::RekeyIke;
  bool busy = sa.rekeying && !collision;
  for (const auto& c : sas.children) busy |= c.rekeying;
  if (busy) {
    refuse(NotifyType::TemporaryFailure);
    return;
  }
  Proposal chosen;
  const auto suite = select_ike(*in.sa, ctx.config().ike_proposals, chosen);
  if (!suite) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    ctx.send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    return;
  }
  if (!in.ke || in.ke->group != static_cast<uint16_t>(suite->group)) {
    refuse(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(suite->group)));
    return;
  }
  if (chosen.spi.size() != 8 || spi_u64(chosen.spi) == 0) {
    refuse(NotifyType::InvalidSyntax);
    return;
  }
  auto dh = DhKey::generate(suite->group);
  std::optional<SecretBytes> g_ir;
  if (dh) g_ir = dh->derive(in.ke->data);
  if (!g_ir) {
    refuse(NotifyType::InvalidSyntax);
    return;
  }
  const auto nr = random_vec(kNonceLen);
  auto nsa = std::make_unique<IkeSa>();
  nsa->spi_i = spi_u64(chosen.spi);
  nsa->spi_r = random_u64();
  nsa->initiator = false;  // RFC 7296 2.18: the rekey initiator becomes the original initiator
  nsa->suite = *suite;
  nsa->ppk_id = sa.ppk_id;  // RFC 8784: the new SKEYSEED comes from the PPK'd SK_d
  if (!derive_ike_keys(*suite, g_ir->view(), *in.nonce, nr, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                       nsa->keys)) {
    refuse(NotifyType::InvalidSyntax);
    return;
  }
  chosen.spi = spi_bytes(nsa->spi_r);
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Nonce, nr);
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(suite->group), dh->public_value()));
  ctx.send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  IkeRekeyed ev{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r};
  if (collision) {
    nsa->collision_product = true;
    std::get<RekeyIkeExchange>(sa.pending->req).note_peer_rekey(PeerIkeRekey{*in.nonce, nr, nsa.get()});
  }
  sas.retire(std::move(sas.ike));  // kept until the peer deletes it (RFC 7296 2.18)
  sas.ike = std::move(nsa);
  out.events.emplace_back(ev);
}

void RekeyIkeExchange::resolve_collision(ExchangeContext& ctx, IkeSa& sa, std::unique_ptr<IkeSa> nsa,
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
    ctx.sas().retire(std::move(nsa));
    DeleteIkeExchange::start(ctx, *redundant, now, out);
    return;
  }
  // Ours survives: the peer's new SA is redundant and the peer deletes it.
  out.events.emplace_back(IkeRekeyed{ctx.sas().ike->spi_i, ctx.sas().ike->spi_r, nsa->spi_i, nsa->spi_r});
  std::unique_ptr<IkeSa> theirs = std::move(ctx.sas().ike);
  ctx.sas().ike = std::move(nsa);
  if (theirs.get() != pr.created || !theirs->peer_deleted) ctx.sas().retire(std::move(theirs));
  DeleteIkeExchange::start(ctx, sa, now, out);
}

}  // namespace linkcrypt::ike
