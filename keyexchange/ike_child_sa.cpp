// Child SAs: installation and KEYMAT events, answering the peer's CREATE_CHILD_SA (RFC 7296 1.3.3, 2.8.1).
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
      std::get<RekeyIkeExchange>(sa.pending->req).note_peer_rekey(RekeyIkeExchange::PeerIkeRekey{*in.nonce, nr, nsa.get()});
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
  if (auto* mine = ike_->pending ? std::get_if<RekeyChildExchange>(&ike_->pending->req) : nullptr;
      collision && mine != nullptr && mine->old_child_spi == old_spi)
    mine->note_peer_rekey(PeerChildRekey{*in.nonce, nr, spi});  // 2.8.1, resolved when ours is answered
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

void SessionImpl::start_delete_child(uint32_t spi_in, TimePoint now, Output& out) {
  ChainBuilder b;
  if (!DeleteChildExchange::build_request(children_, spi_in, b)) return;
  send_request(*ike_, DeleteChildExchange{spi_in}, ExchangeType::Informational, b, now, out);
}

}  // namespace linkcrypt::ike
