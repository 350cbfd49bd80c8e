// Child SAs: installation and KEYMAT events, answering the peer's CREATE_CHILD_SA (RFC 7296 1.3.3, 2.8.1).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- child SAs -------------------------------------------------------------------------------

void SessionImpl::on_create_child_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  auto reply_notify = [&](NotifyType t, std::vector<uint8_t> data = {}) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  };
  if (&sa != sas_.ike.get() || sa.deleting || state_ != SessionState::Established) {
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
    for (const auto& c : sas_.children) busy |= c.rekeying;
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
    sas_.retire(std::move(sas_.ike));  // kept until the peer deletes it (RFC 7296 2.18)
    sas_.ike = std::move(nsa);
    out.events.emplace_back(ev);
    return;
  }
  const NotifyPayload* rekey = in.find_notify(NotifyType::RekeySa);
  if (rekey == nullptr) {
    // One MACsec (or ESP) child per IKE SA: extra children are refused (RFC 7296 1.3).
    reply_notify(NotifyType::NoAdditionalSas);
    return;
  }
  ChildSa* old = rekey->spi.size() == 4 ? sas_.child_out(spi_u32(rekey->spi)) : nullptr;
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
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8) sas_.peer_sci = spi_u64(sci->data);
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  const auto nr = random_vec(kNonceLen);
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Nonce, nr);
  if (dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*cs->group), dh->public_value()));
  add_ts(*cfg_, c, in.tsi ? &*in.tsi : nullptr, in.tsr ? &*in.tsr : nullptr);
  add_sci(*cfg_, c);
  send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  const uint32_t old_spi = old->spi_in;
  const bool collision = old->rekeying;
  if (auto* mine = sas_.ike->pending ? std::get_if<RekeyChildExchange>(&sas_.ike->pending->req) : nullptr;
      collision && mine != nullptr && mine->old_child_spi == old_spi)
    mine->note_peer_rekey(PeerChildRekey{*in.nonce, nr, spi});  // 2.8.1, resolved when ours is answered
  auto ev = sas_.install_child(*cfg_, *cs, spi, peer_spi, false, g_ir ? g_ir->view() : std::span<const uint8_t>{}, *in.nonce, nr,
                          old);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  // Until a collision is resolved (2.8.1), the peer's new child is the presumed successor.
  sas_.child_in(old_spi)->replaced_by = spi;
  out.events.emplace_back(std::move(*ev));
  (void)now;
}

}  // namespace linkcrypt::ike
