// Child SAs: installation and KEYMAT events, CREATE_CHILD_SA rekey and its collisions (RFC 7296 1.3.3, 2.8.1).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- child SAs -------------------------------------------------------------------------------

ChildSa* SessionImpl::find_child_in(uint32_t spi_in) {
  for (auto& c : children_)
    if (c.spi_in == spi_in) return &c;
  return nullptr;
}

ChildSa* SessionImpl::find_child_out(uint32_t spi_out) {
  for (auto& c : children_)
    if (c.spi_out == spi_out) return &c;
  return nullptr;
}

std::optional<ChildKeysReady> SessionImpl::install_child(const ChildSuite& suite, uint32_t spi_in, uint32_t spi_out,
                                                         bool we_initiated, std::span<const uint8_t> g_ir,
                                                         std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                                         const ChildSa* replaces) {
  const ChildKeyLayout layout =
      suite.kind == ChildKind::Macsec ? layout_for(suite.macsec) : layout_for_esp(suite.esp_key_bits);
  ChildKeymat km;
  if (!derive_child_keys(ike_->suite.prf, ike_->keys.sk_d.view(), g_ir, ni, nr, layout, km)) return std::nullopt;
  ChildSa c;
  c.spi_in = spi_in;
  c.spi_out = spi_out;
  c.suite = suite;
  // docs/protocol.md: the first child uses AN 0, each rekey the next AN modulo 4.
  c.an = replaces ? static_cast<uint8_t>((replaces->an + 1) % 4) : 0;
  if (replaces) {
    c.ts_local = replaces->ts_local;
    c.ts_remote = replaces->ts_remote;
  }
  ChildKeysReady ev;
  ev.kind = suite.kind;
  ev.suite = suite.macsec;
  ev.esp_key_bits = suite.kind == ChildKind::Esp ? suite.esp_key_bits : 0;
  ev.confidentiality_offset = suite.offset;
  ev.confidentiality = suite.confidentiality;
  ev.is_rekey = replaces != nullptr;
  ev.local_initiated = we_initiated;
  ev.replaces_spi = replaces ? replaces->spi_in : 0;
  ev.pfs_group = suite.group;
  const uint32_t spi_init = we_initiated ? spi_in : spi_out;
  const uint32_t spi_resp = we_initiated ? spi_out : spi_in;
  ev.key_id = (uint64_t{spi_init} << 32) | spi_resp;
  const bool macsec = suite.kind == ChildKind::Macsec;
  const uint64_t local_sci = macsec ? cfg_->child.macsec.local_sci : 0;
  const uint64_t remote_sci = macsec ? peer_sci_ : 0;
  // design.md §4: i->r is the exchange initiator's transmit direction (SSCI 1), r->i SSCI 2.
  DirectionKeys i2r{0, 0, macsec ? 1u : 0u, c.an, std::move(km.i2r_key), std::move(km.i2r_salt)};
  DirectionKeys r2i{0, 0, macsec ? 2u : 0u, c.an, std::move(km.r2i_key), std::move(km.r2i_salt)};
  if (we_initiated) {
    i2r.spi = spi_out;
    i2r.sci = local_sci;
    r2i.spi = spi_in;
    r2i.sci = remote_sci;
    ev.outbound = std::move(i2r);
    ev.inbound = std::move(r2i);
  } else {
    r2i.spi = spi_out;
    r2i.sci = local_sci;
    i2r.spi = spi_in;
    i2r.sci = remote_sci;
    ev.outbound = std::move(r2i);
    ev.inbound = std::move(i2r);
  }
  children_.push_back(std::move(c));
  return ev;
}

void SessionImpl::start_rekey_child(uint32_t old_spi, TimePoint now, Output& out) {
  ChildSa* old = nullptr;
  if (old_spi == 0) {
    // The current child: the newest one that is not on its way out.
    for (auto& c : children_)
      if (!c.deleting && c.replaced_by == 0) old = &c;
  } else {
    old = find_child_in(old_spi);
  }
  if (old == nullptr || old->deleting || old->rekeying || old->replaced_by != 0) return;
  RekeyChildRequest p;
  p.old_child_spi = old->spi_in;
  p.child_spi = random_u32();
  p.nonce = random_vec(kNonceLen);
  const bool pfs = !cfg_->child.pfs_groups.empty();
  std::optional<DhGroup> group;
  if (pfs) {
    group = child_ke_group_.value_or(cfg_->child.pfs_groups[0]);
    p.dh = DhKey::generate(*group);
    if (!p.dh) return;
  }
  p.offer = build_child_offer(cfg_->child, p.child_spi, pfs, group);
  ChainBuilder c;
  const auto proto = static_cast<uint8_t>(cfg_->child.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp);
  // RFC 7296 1.3.3: REKEY_SA names the SA being rekeyed by our inbound SPI.
  c.add(PayloadType::Notify, build_notify(proto, spi_bytes(old->spi_in), NotifyType::RekeySa, {}));
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  if (p.dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*group), p.dh->public_value()));
  const bool esp = cfg_->child.kind == ChildKind::Esp && !old->ts_local.empty();
  add_ts(c, esp ? &old->ts_local : nullptr, esp ? &old->ts_remote : nullptr);
  add_sci(c);
  old->rekeying = true;
  p.old_an = old->an;
  p.old_ts_local = old->ts_local;
  p.old_ts_remote = old->ts_remote;
  send_request(*ike_, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void SessionImpl::on_create_child_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  auto reply_notify = [&](NotifyType t, std::vector<uint8_t> data = {}) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  };
  if (&sa != ike_.get() || sa.deleting || state_ != SessionState::Established) {
    reply_notify(NotifyType::TemporaryFailure);
    return;
  }
  if (validate_create_child_request(in) != Invalid::Ok) {
    ++counters_.rx_invalid;
    reply_notify(NotifyType::InvalidSyntax);
    return;
  }
  if ((*in.sa)[0].protocol == ProtocolId::Ike) {
    // A child rekey of ours in flight: ask the peer to retry later (RFC 7296 2.25.2). Our own
    // IKE rekey in flight is a 2.8.2 collision: answer it, and resolve when ours completes.
    const bool collision = sa.rekeying && sa.pending && sa.pending->kind() == ReqKind::RekeyIke;
    bool busy = sa.rekeying && !collision;
    for (const auto& c : children_) busy |= c.rekeying;
    if (busy) {
      reply_notify(NotifyType::TemporaryFailure);
      return;
    }
    Proposal chosen;
    const auto suite = select_ike(*in.sa, cfg_->ike_proposals, chosen);
    if (!suite) {
      ChainBuilder c;
      c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
      send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
      return;
    }
    if (!in.ke || in.ke->group != static_cast<uint16_t>(suite->group)) {
      reply_notify(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(suite->group)));
      return;
    }
    if (chosen.spi.size() != 8 || spi_u64(chosen.spi) == 0) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    auto dh = DhKey::generate(suite->group);
    std::optional<SecretBytes> g_ir;
    if (dh) g_ir = dh->derive(in.ke->data);
    if (!g_ir) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    const auto nr = random_vec(kNonceLen);
    auto nsa = std::make_unique<IkeSa>();
    nsa->spi_i = spi_u64(chosen.spi);
    nsa->spi_r = random_u64();
    nsa->initiator = false;  // RFC 7296 2.18: the rekey initiator becomes the original initiator
    nsa->suite = *suite;
    if (!derive_ike_keys(*suite, g_ir->view(), *in.nonce, nr, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                         nsa->keys)) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    chosen.spi = spi_bytes(nsa->spi_r);
    ChainBuilder c;
    c.add(PayloadType::Sa, build_sa({chosen}));
    c.add(PayloadType::Nonce, nr);
    c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(suite->group), dh->public_value()));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    IkeRekeyed ev{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r};
    if (collision) {
      nsa->collision_product = true;
      std::get<RekeyIkeRequest>(sa.pending->req).peer_ike_rekey = RekeyIkeRequest::PeerIkeRekey{*in.nonce, nr, nsa.get()};
    }
    retire(std::move(ike_));  // kept until the peer deletes it (RFC 7296 2.18)
    ike_ = std::move(nsa);
    out.events.emplace_back(ev);
    return;
  }
  const NotifyPayload* rekey = in.find_notify(NotifyType::RekeySa);
  if (rekey == nullptr) {
    // One MACsec (or ESP) child per IKE SA: extra children are refused (RFC 7296 1.3).
    reply_notify(NotifyType::NoAdditionalSas);
    return;
  }
  ChildSa* old = rekey->spi.size() == 4 ? find_child_out(spi_u32(rekey->spi)) : nullptr;
  if (old == nullptr) {
    reply_notify(NotifyType::ChildSaNotFound);
    return;
  }
  if (old->deleting || (old->replaced_by != 0 && !old->rekeying) || sa.rekeying) {
    reply_notify(NotifyType::TemporaryFailure);
    return;
  }
  const uint32_t spi = random_u32();
  Proposal chosen;
  const bool want_ke = in.ke.has_value();
  auto cs = select_child(*in.sa, cfg_->child, want_ke, chosen, spi);
  if (cs && !want_ke && !cfg_->child.pfs_groups.empty()) cs.reset();  // our policy requires PFS
  if (!cs) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer),
                                            build_sa(build_child_offer(cfg_->child, 0, true))));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    // Reported, but the IKE SA and the old child live on (RFC 7296 1.3: only this exchange failed).
    Failed f;
    f.reason = FailReason::NoProposalChosen;
    f.detail = want_ke ? "peer's child rekey proposal is not acceptable"
                       : "peer's child rekey has no KE payload and our policy requires PFS";
    f.proposals = ProposalMismatch{describe(build_child_offer(cfg_->child, 0, !cfg_->child.pfs_groups.empty())),
                                   describe(*in.sa)};
    out.events.emplace_back(std::move(f));
    return;
  }
  std::optional<SecretBytes> g_ir;
  std::optional<DhKey> dh;
  if (cs->group) {
    if (in.ke->group != static_cast<uint16_t>(*cs->group)) {
      reply_notify(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(*cs->group)));
      return;
    }
    dh = DhKey::generate(*cs->group);
    if (dh) g_ir = dh->derive(in.ke->data);
    if (!g_ir) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8) peer_sci_ = spi_u64(sci->data);
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  const auto nr = random_vec(kNonceLen);
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Nonce, nr);
  if (dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*cs->group), dh->public_value()));
  add_ts(c, in.tsi ? &*in.tsi : nullptr, in.tsr ? &*in.tsr : nullptr);
  add_sci(c);
  send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  const uint32_t old_spi = old->spi_in;
  const bool collision = old->rekeying;
  if (auto* mine = ike_->pending ? std::get_if<RekeyChildRequest>(&ike_->pending->req) : nullptr;
      collision && mine != nullptr && mine->old_child_spi == old_spi)
    mine->peer_rekey = ChildSa::PeerRekey{*in.nonce, nr, spi};
  auto ev = install_child(*cs, spi, peer_spi, false, g_ir ? g_ir->view() : std::span<const uint8_t>{}, *in.nonce, nr,
                          old);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  // Until a collision is resolved (2.8.1), the peer's new child is the presumed successor.
  find_child_in(old_spi)->replaced_by = spi;
  out.events.emplace_back(std::move(*ev));
  (void)now;
}

void SessionImpl::on_rekey_child_response(IkeSa& sa, RekeyChildRequest& p, const Payloads& in, TimePoint now, Output& out) {
  (void)sa;
  if (ChildSa* old = find_child_in(p.old_child_spi)) old->rekeying = false;
  auto failed_op = [&](FailReason r, std::string d, std::optional<ProposalMismatch> props = std::nullopt) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    f.proposals = std::move(props);
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure) || in.find_notify(NotifyType::ChildSaNotFound)) {
    ChildSa* old = find_child_in(p.old_child_spi);
    // Retry later unless the peer's own rekey or delete already replaced this child (2.25).
    if (old && !old->deleting && !p.peer_rekey && old->replaced_by == 0) {
      uint8_t jitter = 0;
      (void)random_bytes({&jitter, 1});
      retry_at_ = now + cfg_->timers.retransmit_base + Millis(jitter * 4);
      retry_req_ = QueuedRequest{ReqKind::RekeyChild, p.old_child_spi};
    }
    return;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    if (g && std::count(cfg_->child.pfs_groups.begin(), cfg_->child.pfs_groups.end(), static_cast<DhGroup>(*g)) &&
        (!p.dh || static_cast<uint16_t>(p.dh->group()) != *g)) {
      child_ke_group_ = static_cast<DhGroup>(*g);
      out.events.emplace_back(InvalidKeRetry{*child_ke_group_});
      queue_.push_front(QueuedRequest{ReqKind::RekeyChild, p.old_child_spi});
      return;
    }
    failed_op(FailReason::InvalidKePayload, "peer wants a PFS group we do not offer");
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    failed_op(FailReason::NoProposalChosen, "peer refused our child rekey proposal",
              ProposalMismatch{describe(p.offer), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    failed_op(FailReason::MessageRejected, std::string("peer refused the child rekey: ") + notify_name(e->type));
    return;
  }
  const auto cs = in.sa ? validate_child_choice(*in.sa, p.offer) : std::nullopt;
  if (!cs || validate_nonce(in) != Invalid::Ok || (*in.sa)[0].spi.size() != 4 || bool(cs->group) != bool(p.dh)) {
    failed_op(FailReason::MessageRejected, "malformed CREATE_CHILD_SA response");
    return;
  }
  std::optional<SecretBytes> g_ir;
  if (cs->group) {
    if (!in.ke || in.ke->group != static_cast<uint16_t>(*cs->group) || p.dh->group() != *cs->group ||
        !(g_ir = p.dh->derive(in.ke->data))) {
      failed_op(FailReason::MessageRejected, "invalid KE in CREATE_CHILD_SA response");
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8) peer_sci_ = spi_u64(sci->data);
  // The old child may already be gone (a colliding peer rekey deleted it): its AN and
  // selectors travel in the pending request.
  ChildSa old_copy;
  old_copy.spi_in = p.old_child_spi;
  old_copy.an = p.old_an;
  old_copy.ts_local = p.old_ts_local;
  old_copy.ts_remote = p.old_ts_remote;
  auto ev = install_child(*cs, p.child_spi, spi_u32((*in.sa)[0].spi), true,
                          g_ir ? g_ir->view() : std::span<const uint8_t>{}, p.nonce, *in.nonce, &old_copy);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  out.events.emplace_back(std::move(*ev));
  ChildSa* o = find_child_in(p.old_child_spi);
  if (p.peer_rekey) {
    // RFC 7296 2.8.1 collision: the exchange holding the lowest of the four nonces made the
    // redundant SA; its initiator deletes it, the other initiator deletes the old one.
    const auto& pr = *p.peer_rekey;
    std::span<const uint8_t> ours_low = nonce_less(p.nonce, *in.nonce) ? std::span<const uint8_t>(p.nonce)
                                                                        : std::span<const uint8_t>(*in.nonce);
    std::span<const uint8_t> theirs_low =
        nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
    if (nonce_less(ours_low, theirs_low)) {
      if (o) o->replaced_by = pr.new_spi_in;
      enqueue(QueuedRequest{ReqKind::DeleteChild, p.child_spi}, now, out);
    } else if (o) {
      o->replaced_by = p.child_spi;
      enqueue(QueuedRequest{ReqKind::DeleteChild, p.old_child_spi}, now, out);
    }
    return;
  }
  if (o == nullptr) return;
  o->replaced_by = p.child_spi;
  enqueue(QueuedRequest{ReqKind::DeleteChild, p.old_child_spi}, now, out);
}

void SessionImpl::start_delete_child(uint32_t spi_in, TimePoint now, Output& out) {
  ChainBuilder b;
  if (!DeleteChildExchange::build_request(children_, spi_in, b)) return;
  send_request(*ike_, DeleteChildExchange{spi_in}, ExchangeType::Informational, b, now, out);
}

}  // namespace linkcrypt::ike
