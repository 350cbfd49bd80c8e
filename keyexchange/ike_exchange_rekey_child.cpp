// The child rekey unit: build the CREATE_CHILD_SA request, process its answer, answer the peer's, resolve a collision (RFC 7296 1.3.3, 2.8.1).
#include "ike_exchange_rekey_child.h"

#include <algorithm>

#include "ike_exchange_context.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

void RekeyChildExchange::start(ExchangeContext& ctx, uint32_t old_spi, TimePoint now, Output& out) {
  const Config& cfg = ctx.config();
  ChildSa* old = nullptr;
  if (old_spi == 0) {
    // The current child: the newest one that is not on its way out.
    for (auto& c : ctx.sas().children)
      if (!c.deleting && c.replaced_by == 0) old = &c;
  } else {
    old = ctx.sas().child_in(old_spi);
  }
  if (old == nullptr || old->deleting || old->rekeying || old->replaced_by != 0) return;
  RekeyChildExchange p;
  p.old_child_spi = old->spi_in;
  p.child_spi = random_u32();
  p.nonce = random_vec(kNonceLen);
  const bool pfs = !cfg.child.pfs_groups.empty();
  std::optional<DhGroup> group;
  if (pfs) {
    group = ctx.sas().child_ke_group.value_or(cfg.child.pfs_groups[0]);
    p.dh = DhKey::generate(*group);
    if (!p.dh) return;
  }
  p.offer = build_child_offer(cfg.child, p.child_spi, pfs, group);
  ChainBuilder c;
  const auto proto = static_cast<uint8_t>(cfg.child.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp);
  // RFC 7296 1.3.3: REKEY_SA names the SA being rekeyed by our inbound SPI.
  c.add(PayloadType::Notify, build_notify(proto, spi_bytes(old->spi_in), NotifyType::RekeySa, {}));
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  if (p.dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*group), p.dh->public_value()));
  const bool esp = cfg.child.kind == ChildKind::Esp && !old->ts_local.empty();
  add_ts(ctx.config(), c, esp ? &old->ts_local : nullptr, esp ? &old->ts_remote : nullptr);
  add_sci(ctx.config(), c);
  old->rekeying = true;
  p.old_an = old->an;
  p.old_ts_local = old->ts_local;
  p.old_ts_remote = old->ts_remote;
  ctx.send_request(*ctx.sas().ike, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void RekeyChildExchange::process_response(ExchangeContext& ctx, const Payloads& in, TimePoint now, Output& out) {
  const Config& cfg = ctx.config();
  if (ChildSa* old = ctx.sas().child_in(old_child_spi)) old->rekeying = false;
  auto failed_op = [&](FailReason r, std::string d, std::optional<ProposalMismatch> props = std::nullopt) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    f.proposals = std::move(props);
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure) || in.find_notify(NotifyType::ChildSaNotFound)) {
    ChildSa* old = ctx.sas().child_in(old_child_spi);
    // Retry later unless the peer's own rekey or delete already replaced this child (2.25).
    if (old && !old->deleting && !peer_rekey && old->replaced_by == 0) {
      uint8_t jitter = 0;
      (void)random_bytes({&jitter, 1});
      ctx.retry_at(QueuedRequest{ReqKind::RekeyChild, old_child_spi}, now + cfg.timers.retransmit_base + Millis(jitter * 4));
    }
    return;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    if (g && std::count(cfg.child.pfs_groups.begin(), cfg.child.pfs_groups.end(), static_cast<DhGroup>(*g)) &&
        (!dh || static_cast<uint16_t>(dh->group()) != *g)) {
      ctx.sas().child_ke_group = static_cast<DhGroup>(*g);
      out.events.emplace_back(InvalidKeRetry{*ctx.sas().child_ke_group});
      ctx.enqueue_first(QueuedRequest{ReqKind::RekeyChild, old_child_spi});
      return;
    }
    failed_op(FailReason::InvalidKePayload, "peer wants a PFS group we do not offer");
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    failed_op(FailReason::NoProposalChosen, "peer refused our child rekey proposal",
              ProposalMismatch{describe(offer), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    failed_op(FailReason::MessageRejected, std::string("peer refused the child rekey: ") + notify_name(e->type));
    return;
  }
  const auto cs = in.sa ? validate_child_choice(*in.sa, offer) : std::nullopt;
  if (!cs || validate_nonce(in) != Invalid::Ok || (*in.sa)[0].spi.size() != 4 || bool(cs->group) != bool(dh)) {
    failed_op(FailReason::MessageRejected, "malformed CREATE_CHILD_SA response");
    return;
  }
  std::optional<SecretBytes> g_ir;
  if (cs->group) {
    if (!in.ke || in.ke->group != static_cast<uint16_t>(*cs->group) || dh->group() != *cs->group ||
        !(g_ir = dh->derive(in.ke->data))) {
      failed_op(FailReason::MessageRejected, "invalid KE in CREATE_CHILD_SA response");
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8)
    ctx.sas().peer_sci = spi_u64(sci->data);
  // The old child may already be gone (a colliding peer rekey deleted it): its AN and
  // selectors travel in this request.
  ChildSa old_copy;
  old_copy.spi_in = old_child_spi;
  old_copy.an = old_an;
  old_copy.ts_local = old_ts_local;
  old_copy.ts_remote = old_ts_remote;
  auto ev = ctx.sas().install_child(ctx.config(), *cs, child_spi, spi_u32((*in.sa)[0].spi), true,
                            g_ir ? g_ir->view() : std::span<const uint8_t>{}, nonce, *in.nonce, &old_copy);
  if (!ev) {
    ctx.fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  out.events.emplace_back(std::move(*ev));
  if (peer_rekey) {
    resolve_collision(ctx, *in.nonce, now, out);
    return;
  }
  ChildSa* o = ctx.sas().child_in(old_child_spi);
  if (o == nullptr) return;
  o->replaced_by = child_spi;
  ctx.enqueue(QueuedRequest{ReqKind::DeleteChild, old_child_spi}, now, out);
}

void RekeyChildExchange::answer_request(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid,
                                        Output& out) {
  const Config& cfg = ctx.config();
  SaSet& sas = ctx.sas();
  auto refuse = [&](NotifyType t, std::vector<uint8_t> data = {}) {
    ctx.answer_notify(sa, ExchangeType::CreateChildSa, mid, t, data, out);
  };
  const NotifyPayload* rekey = in.find_notify(NotifyType::RekeySa);
  if (rekey == nullptr) {
    // One MACsec (or ESP) child per IKE SA: extra children are refused (RFC 7296 1.3).
    refuse(NotifyType::NoAdditionalSas);
    return;
  }
  ChildSa* old = rekey->spi.size() == 4 ? sas.child_out(spi_u32(rekey->spi)) : nullptr;
  if (old == nullptr) {
    refuse(NotifyType::ChildSaNotFound);
    return;
  }
  if (old->deleting || (old->replaced_by != 0 && !old->rekeying) || sa.rekeying) {
    refuse(NotifyType::TemporaryFailure);
    return;
  }
  const uint32_t spi = random_u32();
  Proposal chosen;
  const bool want_ke = in.ke.has_value();
  auto cs = select_child(*in.sa, cfg.child, want_ke, chosen, spi);
  if (cs && !want_ke && !cfg.child.pfs_groups.empty()) cs.reset();  // our policy requires PFS
  if (!cs) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer),
                                            build_sa(build_child_offer(cfg.child, 0, true))));
    ctx.send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    // Reported, but the IKE SA and the old child live on (RFC 7296 1.3: only this exchange failed).
    Failed f;
    f.reason = FailReason::NoProposalChosen;
    f.detail = want_ke ? "peer's child rekey proposal is not acceptable"
                       : "peer's child rekey has no KE payload and our policy requires PFS";
    f.proposals = ProposalMismatch{describe(build_child_offer(cfg.child, 0, !cfg.child.pfs_groups.empty())),
                                   describe(*in.sa)};
    out.events.emplace_back(std::move(f));
    return;
  }
  std::optional<SecretBytes> g_ir;
  std::optional<DhKey> dh;
  if (cs->group) {
    if (in.ke->group != static_cast<uint16_t>(*cs->group)) {
      refuse(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(*cs->group)));
      return;
    }
    dh = DhKey::generate(*cs->group);
    if (dh) g_ir = dh->derive(in.ke->data);
    if (!g_ir) {
      refuse(NotifyType::InvalidSyntax);
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8)
    sas.peer_sci = spi_u64(sci->data);
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  const auto nr = random_vec(kNonceLen);
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Nonce, nr);
  if (dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*cs->group), dh->public_value()));
  add_ts(cfg, c, in.tsi ? &*in.tsi : nullptr, in.tsr ? &*in.tsr : nullptr);
  add_sci(cfg, c);
  ctx.send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  const uint32_t old_spi = old->spi_in;
  // Collision step (2.8.1): our own rekey of this child is in flight; it settles which new child
  // is redundant when its answer arrives.
  const bool collision = old->rekeying;
  if (auto* mine = sas.ike->pending ? std::get_if<RekeyChildExchange>(&sas.ike->pending->req) : nullptr;
      collision && mine != nullptr && mine->old_child_spi == old_spi)
    mine->note_peer_rekey(PeerChildRekey{*in.nonce, nr, spi});  // 2.8.1, resolved when ours is answered
  auto ev = sas.install_child(cfg, *cs, spi, peer_spi, false, g_ir ? g_ir->view() : std::span<const uint8_t>{},
                              *in.nonce, nr, old);
  if (!ev) {
    ctx.fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  // Until a collision is resolved (2.8.1), the peer's new child is the presumed successor.
  sas.child_in(old_spi)->replaced_by = spi;
  out.events.emplace_back(std::move(*ev));
}

void RekeyChildExchange::resolve_collision(ExchangeContext& ctx, std::span<const uint8_t> peer_nonce, TimePoint now,
                                           Output& out) const {
  // RFC 7296 2.8.1: the exchange holding the lowest of the four nonces made the redundant SA;
  // its initiator deletes it, the other initiator deletes the old one.
  ChildSa* o = ctx.sas().child_in(old_child_spi);
  const auto& pr = *peer_rekey;
  std::span<const uint8_t> ours_low = nonce_less(nonce, peer_nonce) ? std::span<const uint8_t>(nonce) : peer_nonce;
  std::span<const uint8_t> theirs_low =
      nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
  if (nonce_less(ours_low, theirs_low)) {
    if (o) o->replaced_by = pr.new_spi_in;
    ctx.enqueue(QueuedRequest{ReqKind::DeleteChild, child_spi}, now, out);
  } else if (o) {
    o->replaced_by = child_spi;
    ctx.enqueue(QueuedRequest{ReqKind::DeleteChild, old_child_spi}, now, out);
  }
}

}  // namespace linkcrypt::ike
