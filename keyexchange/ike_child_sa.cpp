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
  RekeyChildExchange::answer_request(*this, sa, in, mid, out);
  (void)now;
}

}  // namespace linkcrypt::ike
