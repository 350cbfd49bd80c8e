// INFORMATIONAL Delete units: build the request, process the answer, answer the peer's crossing Delete (RFC 7296 1.4.1).
#include "ike_exchange_delete.h"

#include <algorithm>

#include "ike_exchange_context.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

namespace {

ChildSa* find_in(std::vector<ChildSa>& children, uint32_t spi_in) {
  for (auto& c : children)
    if (c.spi_in == spi_in) return &c;
  return nullptr;
}

ChildSa* find_out(std::vector<ChildSa>& children, uint32_t spi_out) {
  for (auto& c : children)
    if (c.spi_out == spi_out) return &c;
  return nullptr;
}

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
  std::vector<ChildSa>& children = ctx.sas().children;
  ChildSa* ch = find_in(children, old_child_spi);
  if (ch == nullptr) return;  // the peer deleted it in the same round trip
  remove_child(children, *ch, false, out);
}

void DeleteChildExchange::answer_peer_delete(std::vector<ChildSa>& children, const DeletePayload& d,
                                             ChainBuilder& answer, Output& out) {
  if (d.spi_len != 4) return;
  std::vector<std::vector<uint8_t>> ours;
  for (const auto& s : d.spis) {
    ChildSa* ch = find_out(children, spi_u32(s));
    if (ch == nullptr) continue;
    if (!ch->deleting) ours.push_back(spi_bytes(ch->spi_in));
    remove_child(children, *ch, true, out);
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

}  // namespace linkcrypt::ike
