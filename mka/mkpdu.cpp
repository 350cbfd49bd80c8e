// MKPDU codec. Layouts are 802.1X-2020 Figures 11-7 to 11-14; where a bit position reads unclearly,
// the layout of wpa_supplicant's src/pae/ieee802_1x_kay.h is followed (and the tshark dissector agrees).
#include "mkpdu.h"

#include <openssl/crypto.h>

#include "byte_reader.h"
#include "byte_writer.h"

namespace linkcrypt::mka {
namespace {

enum SetType : uint8_t {
  kLivePeerList = 1,
  kPotentialPeerList = 2,
  kSakUse = 3,
  kDistributedSak = 4,
  kXpn = 8,
  kIcvIndicator = 255,
};

constexpr size_t kEthHeaderLen = 14;
constexpr size_t kBasicFixedLen = 28;  // priority .. algorithm agility, before the CKN
constexpr size_t kSakUseBodyLen = 40;
constexpr size_t kXpnBodyLen = 8;

size_t pad4(size_t n) { return (4 - n % 4) % 4; }

// Octets 3 and 4 of every set: four type-specific bits, then a 12-bit body length.
void put_flags_and_length(ByteWriter& w, uint8_t high_nibble, size_t len) {
  w.put_u8(static_cast<uint8_t>((high_nibble << 4) | ((len >> 8) & 0x0F)));
  w.put_u8(static_cast<uint8_t>(len & 0xFF));
}

void put_set_header(ByteWriter& w, uint8_t type, uint8_t octet2, uint8_t high_nibble, size_t len) {
  w.put_u8(type);
  w.put_u8(octet2);
  put_flags_and_length(w, high_nibble, len);
}

void put_peers(ByteWriter& w, uint8_t type, uint8_t octet2, const std::vector<PeerEntry>& peers) {
  put_set_header(w, type, octet2, 0, peers.size() * 16);
  for (const auto& p : peers) {
    w.put_bytes(p.mi);
    w.put_u32(p.mn);
  }
}

bool read_mi(ByteReader& r, MemberIdentifier& mi) { return r.read_into(mi); }

bool read_peers(ByteReader body, std::vector<PeerEntry>& out) {
  if (body.remaining() % 16 != 0) return false;
  while (!body.empty()) {
    PeerEntry p;
    if (!read_mi(body, p.mi) || !body.read_u32(p.mn)) return false;
    out.push_back(p);
  }
  return true;
}

bool read_sak_use(uint8_t o2, uint8_t o3, ByteReader body, SakUse& s) {
  s.latest_an = o2 >> 6;
  s.latest_tx = o2 & 0x20;
  s.latest_rx = o2 & 0x10;
  s.old_an = (o2 >> 2) & 3;
  s.old_tx = o2 & 0x02;
  s.old_rx = o2 & 0x01;
  s.plain_tx = o3 & 0x80;
  s.plain_rx = o3 & 0x40;
  s.delay_protect = o3 & 0x10;
  if (body.empty()) return true;
  if (body.remaining() != kSakUseBodyLen) return false;
  s.has_keys = true;
  return read_mi(body, s.latest_server_mi) && body.read_u32(s.latest_kn) && body.read_u32(s.latest_lowest_pn) &&
         read_mi(body, s.old_server_mi) && body.read_u32(s.old_kn) && body.read_u32(s.old_lowest_pn);
}

bool read_distributed_sak(uint8_t o2, ByteReader body, DistributedSak& d) {
  d.an = o2 >> 6;
  d.confidentiality_offset = (o2 >> 4) & 3;
  const size_t len = body.remaining();
  if (len == 0) return true;  // plain text: MACsec is not to be used
  if (len != 28 && len != 36 && len != 52) return false;
  if (!body.read_u32(d.key_number)) return false;
  if (len != 28) {
    uint64_t suite = 0;
    if (!body.read_u64(suite)) return false;
    d.cipher_suite = suite;
  }
  std::span<const uint8_t> wrapped;
  if (!body.read_bytes(body.remaining(), wrapped)) return false;
  d.wrapped_sak.assign(wrapped.begin(), wrapped.end());
  return true;
}

MkpduError read_basic(ByteReader& r, BasicParameterSet& b) {
  uint8_t o3 = 0, o4 = 0;
  if (!r.read_u8(b.version) || !r.read_u8(b.key_server_priority) || !r.read_u8(o3) || !r.read_u8(o4))
    return MkpduError::Truncated;
  if (b.version == 0) return MkpduError::BadBasicSet;
  b.key_server = o3 & 0x80;
  b.macsec_desired = o3 & 0x40;
  b.macsec_capability = (o3 >> 4) & 3;
  const size_t len = static_cast<size_t>(o3 & 0x0F) << 8 | o4;
  if (len <= kBasicFixedLen || len > kBasicFixedLen + kMaxCknLen) return MkpduError::BadBasicSet;
  ByteReader body(std::span<const uint8_t>{});
  std::span<const uint8_t> ckn;
  if (!r.read_sub(len, body) || !r.skip(pad4(len))) return MkpduError::Truncated;
  if (!body.read_into(b.sci) || !read_mi(body, b.mi) || !body.read_u32(b.mn) || !body.read_u32(b.algorithm_agility) ||
      !body.read_bytes(body.remaining(), ckn))
    return MkpduError::Truncated;
  b.ckn.assign(ckn.begin(), ckn.end());
  return MkpduError::None;
}

}  // namespace

std::optional<std::vector<uint8_t>> encode_mkpdu(const Mkpdu& pdu, const Mac& dst, const Mac& src,
                                                 std::span<const uint8_t> ick) {
  const auto& b = pdu.basic;
  if (b.ckn.empty() || b.ckn.size() > kMaxCknLen || b.macsec_capability > 3) return std::nullopt;
  ByteWriter w;
  w.put_bytes(dst);
  w.put_bytes(src);
  w.put_u16(kEapolEtherType);
  w.put_u8(kMkaVersion);  // EAPOL protocol version 3 (802.1X-2010 and later)
  w.put_u8(kEapolTypeMka);
  const size_t body_len_at = w.mark_u16();

  const size_t basic_len = kBasicFixedLen + b.ckn.size();
  w.put_u8(b.version);
  w.put_u8(b.key_server_priority);
  put_flags_and_length(w,
                       static_cast<uint8_t>((b.key_server ? 8 : 0) | (b.macsec_desired ? 4 : 0) | b.macsec_capability),
                       basic_len);
  w.put_bytes(b.sci);
  w.put_bytes(b.mi);
  w.put_u32(b.mn);
  w.put_u32(b.algorithm_agility);
  w.put_bytes(b.ckn);
  w.put_zeros(pad4(basic_len));

  if (pdu.live_peers) put_peers(w, kLivePeerList, pdu.key_server_ssci, *pdu.live_peers);
  if (pdu.potential_peers) put_peers(w, kPotentialPeerList, 0, *pdu.potential_peers);
  if (const auto& s = pdu.sak_use) {
    if (s->latest_an > 3 || s->old_an > 3) return std::nullopt;
    const uint8_t o2 = static_cast<uint8_t>(s->latest_an << 6 | (s->latest_tx ? 0x20 : 0) | (s->latest_rx ? 0x10 : 0) |
                                            s->old_an << 2 | (s->old_tx ? 0x02 : 0) | (s->old_rx ? 0x01 : 0));
    const uint8_t flags = static_cast<uint8_t>((s->plain_tx ? 8 : 0) | (s->plain_rx ? 4 : 0) | (s->delay_protect ? 1 : 0));
    put_set_header(w, kSakUse, o2, flags, s->has_keys ? kSakUseBodyLen : 0);
    if (s->has_keys) {
      w.put_bytes(s->latest_server_mi);
      w.put_u32(s->latest_kn);
      w.put_u32(s->latest_lowest_pn);
      w.put_bytes(s->old_server_mi);
      w.put_u32(s->old_kn);
      w.put_u32(s->old_lowest_pn);
    }
  }
  if (const auto& d = pdu.distributed_sak) {
    if (d->an > 3 || d->confidentiality_offset > 3) return std::nullopt;
    const size_t wrapped = d->wrapped_sak.size();
    if (wrapped != 0 && wrapped != 24 && wrapped != 40) return std::nullopt;
    if (wrapped == 40 && !d->cipher_suite) return std::nullopt;  // a 256-bit SAK is never the default suite
    const size_t len = wrapped == 0 ? 0 : 4 + (d->cipher_suite ? 8 : 0) + wrapped;
    put_set_header(w, kDistributedSak, static_cast<uint8_t>(d->an << 6 | d->confidentiality_offset << 4), 0, len);
    if (wrapped != 0) {
      w.put_u32(d->key_number);
      if (d->cipher_suite) w.put_u64(*d->cipher_suite);
      w.put_bytes(d->wrapped_sak);
    }
    w.put_zeros(pad4(len));
  }
  if (const auto& x = pdu.xpn) {
    put_set_header(w, kXpn, x->suspension_time, 0, kXpnBodyLen);
    w.put_u32(x->latest_lowest_pn_high);
    w.put_u32(x->old_lowest_pn_high);
  }
  // wpa_supplicant always sends the ICV Indicator, though the default ICV length allows leaving it out.
  put_set_header(w, kIcvIndicator, 0, 0, kIcvLen);

  const size_t eapol_body = w.size() + kIcvLen - kEthHeaderLen - 4;
  if (eapol_body > 0xFFFF) return std::nullopt;
  w.patch_u16(body_len_at, static_cast<uint16_t>(eapol_body));
  std::array<uint8_t, kIcvLen> icv{};
  if (!mkpdu_icv(ick, w.view(), icv)) return std::nullopt;
  w.put_bytes(icv);
  return w.take();
}

MkpduError decode_mkpdu(std::span<const uint8_t> frame, DecodedMkpdu& out) {
  out = DecodedMkpdu{};
  ByteReader r(frame);
  uint16_t ethertype = 0, body_len = 0;
  uint8_t eapol_version = 0, eapol_type = 0;
  if (!r.read_into(out.dst) || !r.read_into(out.src) || !r.read_u16(ethertype)) return MkpduError::Truncated;
  if (ethertype != kEapolEtherType) return MkpduError::NotEapolMka;
  if (!r.read_u8(eapol_version) || !r.read_u8(eapol_type) || !r.read_u16(body_len)) return MkpduError::Truncated;
  if (eapol_version == 0 || eapol_type != kEapolTypeMka) return MkpduError::NotEapolMka;
  ByteReader body(std::span<const uint8_t>{});
  if (!r.read_sub(body_len, body)) return MkpduError::Truncated;  // octets past the body are Ethernet padding
  const size_t body_start = kEthHeaderLen + 4;

  if (auto e = read_basic(body, out.pdu.basic); e != MkpduError::None) return e;
  uint32_t seen = 0;  // one bit per known set type, to refuse duplicates
  auto once = [&seen](uint32_t bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
  };
  for (;;) {
    const size_t covered_len = body_start + (body_len - body.remaining());
    if (body.remaining() == kIcvLen) {
      out.covered = frame.first(covered_len);
      return body.read_into(out.icv) ? MkpduError::None : MkpduError::Truncated;
    }
    uint8_t type = 0, o2 = 0, o3 = 0, o4 = 0;
    if (!body.read_u8(type) || !body.read_u8(o2) || !body.read_u8(o3) || !body.read_u8(o4)) return MkpduError::Truncated;
    const size_t len = static_cast<size_t>(o3 & 0x0F) << 8 | o4;
    if (type == kIcvIndicator) {
      if (len != kIcvLen || body.remaining() != kIcvLen) return MkpduError::BadIcvIndicator;
      out.covered = frame.first(covered_len + 4);
      return body.read_into(out.icv) ? MkpduError::None : MkpduError::Truncated;
    }
    ByteReader set(std::span<const uint8_t>{});
    if (!body.read_sub(len, set) || !body.skip(pad4(len))) return MkpduError::Truncated;
    bool ok = true;
    switch (type) {
      case kLivePeerList:
        if (!once(1u << 1)) return MkpduError::DuplicateSet;
        out.pdu.key_server_ssci = o2;
        ok = read_peers(set, out.pdu.live_peers.emplace());
        break;
      case kPotentialPeerList:
        if (!once(1u << 2)) return MkpduError::DuplicateSet;
        ok = read_peers(set, out.pdu.potential_peers.emplace());
        break;
      case kSakUse:
        if (!once(1u << 3)) return MkpduError::DuplicateSet;
        ok = read_sak_use(o2, o3, set, out.pdu.sak_use.emplace());
        break;
      case kDistributedSak:
        if (!once(1u << 4)) return MkpduError::DuplicateSet;
        ok = read_distributed_sak(o2, set, out.pdu.distributed_sak.emplace());
        break;
      case kXpn:
        if (!once(1u << 8)) return MkpduError::DuplicateSet;
        ok = set.remaining() == kXpnBodyLen;
        if (ok) {
          auto& x = out.pdu.xpn.emplace();
          x.suspension_time = o2;
          ok = set.read_u32(x.latest_lowest_pn_high) && set.read_u32(x.old_lowest_pn_high);
        }
        break;
      default:
        ++out.unknown_sets;  // Distributed CAK, KMD, Announcement, later types: not used here
        break;
    }
    if (!ok) return MkpduError::BadParameterSet;
  }
}

bool mkpdu_icv_ok(const DecodedMkpdu& d, std::span<const uint8_t> ick) {
  std::array<uint8_t, kIcvLen> want{};
  if (d.covered.empty() || !mkpdu_icv(ick, d.covered, want)) return false;
  return CRYPTO_memcmp(want.data(), d.icv.data(), want.size()) == 0;
}

}  // namespace linkcrypt::mka
