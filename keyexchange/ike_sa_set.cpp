// The SA set: child SA installation and KEYMAT events (RFC 7296 2.17), IKE SAs on their way out (2.18).
#include "ike_sa_set.h"

#include <algorithm>

namespace linkcrypt::ike {

ChildSa* SaSet::child_in(uint32_t spi_in) {
  for (auto& c : children)
    if (c.spi_in == spi_in) return &c;
  return nullptr;
}

ChildSa* SaSet::child_out(uint32_t spi_out) {
  for (auto& c : children)
    if (c.spi_out == spi_out) return &c;
  return nullptr;
}

std::optional<ChildKeysReady> SaSet::install_child(const Config& cfg, const ChildSuite& suite, uint32_t spi_in,
                                                   uint32_t spi_out, bool we_initiated, std::span<const uint8_t> g_ir,
                                                   std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                                   const ChildSa* replaces) {
  const ChildKeyLayout layout =
      suite.kind == ChildKind::Macsec ? layout_for(suite.macsec) : layout_for_esp(suite.esp_key_bits);
  ChildKeymat km;
  if (!derive_child_keys(ike->suite.prf, ike->keys.sk_d.view(), g_ir, ni, nr, layout, km)) return std::nullopt;
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
  const uint64_t local_sci = macsec ? cfg.child.macsec.local_sci : 0;
  const uint64_t remote_sci = macsec ? peer_sci : 0;
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
  children.push_back(std::move(c));
  return ev;
}

void SaSet::drop_retiring(const IkeSa* sa) {
  for (const auto& r : retiring) {
    if (r.get() != sa || !r->has_cached) continue;
    // Keep its last answer: if that answer (e.g. to the Delete) is lost, the retransmitted
    // request must still get it (RFC 7296 2.1).
    graveyard.push_back(Tombstone{r->spi_i, r->spi_r, r->cached_mid, r->cached_response});
    if (graveyard.size() > 4) graveyard.erase(graveyard.begin());
  }
  std::erase_if(retiring, [&](const std::unique_ptr<IkeSa>& r) { return r.get() == sa; });
}

bool SaSet::ike_rekey_in_flight() const {
  if (ike && ike->rekeying) return true;
  for (const auto& r : retiring)
    if (r->rekeying) return true;
  return false;
}

void SaSet::drop_pending() {
  if (ike) ike->pending.reset();
  for (auto& r : retiring) r->pending.reset();
}

}  // namespace linkcrypt::ike
