// INFORMATIONAL Delete units: build the request, process the answer, answer the peer's Deletes and INFORMATIONAL requests (RFC 7296 1.4.1).
#include "ike_exchange_delete.h"

#include <algorithm>

#include "ike_exchange_context.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

namespace {

// The child leaves the SA set; the controller hears of it as rekeyed or deleted.
void remove_child(std::vector<ChildSa>& children, ChildSa& ch, bool by_peer, Output& out) {
  if (ch.replaced_by != 0)
    out.events.emplace_back(ChildRekeyed{ch.spi_in, ch.replaced_by});
  else
    out.events.emplace_back(Deleted{false, ch.spi_in, by_peer});
  const uint32_t gone = ch.spi_in;
  std::erase_if(children, [&](const ChildSa& x) { return x.spi_in == gone; });
}

}  // namespace

void DeleteChildExchange::start(ExchangeContext& ctx, uint32_t spi_in, TimePoint now, Output& out) {
  ChildSa* ch = ctx.sas().child_in(spi_in);
  if (ch == nullptr || ch->deleting) return;
  ch->deleting = true;
  const auto proto = ch->suite.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp;
  ChainBuilder c;
  c.add(PayloadType::Delete, build_delete(proto, 4, {spi_bytes(spi_in)}));
  ctx.send_request(*ctx.sas().ike, DeleteChildExchange{spi_in}, ExchangeType::Informational, c, now, out);
}

void DeleteChildExchange::process_response(ExchangeContext& ctx, Output& out) const {
  ChildSa* ch = ctx.sas().child_in(old_child_spi);
  if (ch == nullptr) return;  // the peer deleted it in the same round trip
  remove_child(ctx.sas().children, *ch, false, out);
}

void DeleteChildExchange::answer_peer_delete(ExchangeContext& ctx, const DeletePayload& d, ChainBuilder& answer,
                                             Output& out) {
  if (d.spi_len != 4) return;
  std::vector<std::vector<uint8_t>> ours;
  for (const auto& s : d.spis) {
    ChildSa* ch = ctx.sas().child_out(spi_u32(s));
    if (ch == nullptr) continue;
    if (!ch->deleting) ours.push_back(spi_bytes(ch->spi_in));
    remove_child(ctx.sas().children, *ch, true, out);
  }
  if (!ours.empty()) answer.add(PayloadType::Delete, build_delete(d.protocol, 4, ours));
}

void DeleteIkeExchange::start(ExchangeContext& ctx, IkeSa& sa, TimePoint now, Output& out) {
  if (sa.deleting) return;
  sa.deleting = true;
  ChainBuilder c;
  c.add(PayloadType::Delete, build_delete(ProtocolId::Ike, 0, {}));
  ctx.send_request(sa, DeleteIkeExchange{}, ExchangeType::Informational, c, now, out);
}

void DeleteIkeExchange::process_response(ExchangeContext& ctx, IkeSa& sa, Output& out) const {
  if (&sa != ctx.sas().ike.get()) {
    ctx.sas().drop_retiring(&sa);
    return;
  }
  out.events.emplace_back(Deleted{true, 0, false});
  ctx.close_session();
}

void DeleteIkeExchange::answer_peer_delete(ExchangeContext& ctx, IkeSa& sa, Output& out) {
  if (&sa != ctx.sas().ike.get()) {
    ctx.sas().drop_retiring(&sa);  // the rekeyed-away (or redundant) IKE SA: its successor carries on
    return;
  }
  if (sa.collision_product && ctx.sas().ike_rekey_in_flight()) {
    // 2.8.2: the peer deleted the SA our answer created as redundant before our own rekey
    // answer arrived; that answer brings the surviving SA.
    sa.peer_deleted = true;
    return;
  }
  out.events.emplace_back(Deleted{true, 0, true});
  ctx.close_session();
}

void answer_informational(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, uint32_t mid, Output& out) {
  ChainBuilder c;
  bool delete_ike = false;
  for (const auto& d : in.deletes) {
    if (d.protocol == ProtocolId::Ike)
      delete_ike = true;
    else
      DeleteChildExchange::answer_peer_delete(ctx, d, c, out);  // 1.4.1
  }
  const bool auth_failed = in.find_notify(NotifyType::AuthenticationFailed) != nullptr;
  ctx.send_response(sa, ExchangeType::Informational, mid, c, out);
  if (auth_failed) {
    ctx.fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (delete_ike) DeleteIkeExchange::answer_peer_delete(ctx, sa, out);
}

}  // namespace linkcrypt::ike
