// IKEv2 payload parsing and building over ByteReader/ByteWriter (RFC 7296 section 3).
#include "ike_codec.h"

#include "byte_reader.h"

namespace linkcrypt::ike {

const char* to_string(ParseError e) {
  switch (e) {
    case ParseError::Ok: return "ok";
    case ParseError::Truncated: return "truncated";
    case ParseError::BadLength: return "bad length";
    case ParseError::BadVersion: return "bad major version";
    case ParseError::TrailingBytes: return "trailing bytes";
    case ParseError::UnsupportedCritical: return "unsupported critical payload";
    case ParseError::Duplicate: return "duplicate payload";
    case ParseError::SkNotLast: return "SK payload not last";
    case ParseError::BadProposal: return "bad proposal";
    case ParseError::BadAttribute: return "bad transform attribute";
    case ParseError::BadTrafficSelector: return "bad traffic selector";
  }
  return "?";
}

const NotifyPayload* Payloads::find_notify(NotifyType t) const {
  for (const auto& n : notifies)
    if (n.type == static_cast<uint16_t>(t)) return &n;
  return nullptr;
}

ParseError parse_header(ByteReader& r, Header& out) {
  ByteReader h;
  if (!r.read_sub(kHeaderLen, h)) return ParseError::Truncated;
  uint8_t np = 0, ex = 0;
  bool ok = h.read_u64(out.spi_i) && h.read_u64(out.spi_r) && h.read_u8(np) && h.read_u8(out.version) &&
            h.read_u8(ex) && h.read_u8(out.flags) && h.read_u32(out.message_id) && h.read_u32(out.length);
  if (!ok) return ParseError::Truncated;
  out.next_payload = static_cast<PayloadType>(np);
  out.exchange = static_cast<ExchangeType>(ex);
  // RFC 7296 3.1: a different major version is answered with INVALID_MAJOR_VERSION.
  if ((out.version >> 4) != 2) return ParseError::BadVersion;
  return ParseError::Ok;
}

namespace {

ParseError parse_transform(ByteReader& r, Transform& t, bool last_expected) {
  uint8_t last = 0, reserved = 0, type = 0, reserved2 = 0;
  uint16_t len = 0;
  if (!r.read_u8(last) || !r.read_u8(reserved) || !r.read_u16(len)) return ParseError::Truncated;
  if (len < 8) return ParseError::BadLength;
  ByteReader body;
  if (!r.read_sub(len - 4, body)) return ParseError::Truncated;
  // RFC 7296 3.3.2: Last Substruc is 0 for the last transform, 3 otherwise.
  if (last != (last_expected ? 0 : 3)) return ParseError::BadProposal;
  if (!body.read_u8(type) || !body.read_u8(reserved2) || !body.read_u16(t.id)) return ParseError::Truncated;
  t.type = static_cast<TransformType>(type);
  while (!body.empty()) {
    uint16_t af_type = 0;
    if (!body.read_u16(af_type)) return ParseError::BadAttribute;
    const bool tv = (af_type & 0x8000) != 0;
    const uint16_t atype = af_type & 0x7fff;
    uint16_t value = 0;
    if (tv) {
      if (!body.read_u16(value)) return ParseError::BadAttribute;
    } else {
      uint16_t alen = 0;
      if (!body.read_u16(alen) || !body.skip(alen)) return ParseError::BadAttribute;
    }
    if (tv && atype == kAttrKeyLength) {
      if (t.key_len) return ParseError::BadAttribute;
      t.key_len = value;
    } else if (tv && atype == kAttrMacsecOffset) {
      t.macsec_offset = value;
    } else if (tv && atype == kAttrMacsecConfidentiality) {
      t.macsec_confidentiality = value;
    } else {
      // RFC 7296 3.3.6: a transform with an unrecognised attribute is not selected.
      t.unknown_attribute = true;
    }
  }
  return ParseError::Ok;
}

ParseError parse_proposal(ByteReader& r, Proposal& p, bool last_expected, uint8_t expected_number) {
  uint8_t last = 0, reserved = 0, proto = 0, spi_len = 0, ntrans = 0;
  uint16_t len = 0;
  if (!r.read_u8(last) || !r.read_u8(reserved) || !r.read_u16(len)) return ParseError::Truncated;
  if (len < 8) return ParseError::BadLength;
  ByteReader body;
  if (!r.read_sub(len - 4, body)) return ParseError::Truncated;
  if (last != (last_expected ? 0 : 2)) return ParseError::BadProposal;
  if (!body.read_u8(p.number) || !body.read_u8(proto) || !body.read_u8(spi_len) || !body.read_u8(ntrans))
    return ParseError::Truncated;
  // RFC 7296 3.3.1: the first proposal is number 1, each next one the same or one more.
  if (p.number != expected_number && p.number != expected_number + 1) return ParseError::BadProposal;
  p.protocol = static_cast<ProtocolId>(proto);
  std::span<const uint8_t> spi;
  if (!body.read_bytes(spi_len, spi)) return ParseError::Truncated;
  p.spi.assign(spi.begin(), spi.end());
  if (ntrans == 0) return ParseError::BadProposal;
  for (uint8_t i = 0; i < ntrans; ++i) {
    Transform t;
    if (auto e = parse_transform(body, t, i + 1 == ntrans); e != ParseError::Ok) return e;
    p.transforms.push_back(t);
  }
  if (!body.empty()) return ParseError::TrailingBytes;
  return ParseError::Ok;
}

bool copy_rest(ByteReader& r, std::vector<uint8_t>& out) {
  std::span<const uint8_t> s;
  if (!r.read_bytes(r.remaining(), s)) return false;
  out.assign(s.begin(), s.end());
  return true;
}

ParseError parse_body(PayloadType type, std::span<const uint8_t> in, Payloads& out) {
  ByteReader r(in);
  switch (type) {
    case PayloadType::Sa: {
      if (out.sa) return ParseError::Duplicate;
      std::vector<Proposal> props;
      if (auto e = parse_sa(in, props); e != ParseError::Ok) return e;
      out.sa = std::move(props);
      return ParseError::Ok;
    }
    case PayloadType::Ke: {
      if (out.ke) return ParseError::Duplicate;
      KePayload ke;
      uint16_t reserved = 0;
      if (!r.read_u16(ke.group) || !r.read_u16(reserved) || !copy_rest(r, ke.data)) return ParseError::Truncated;
      out.ke = std::move(ke);
      return ParseError::Ok;
    }
    case PayloadType::Nonce: {
      if (out.nonce) return ParseError::Duplicate;
      std::vector<uint8_t> n;
      (void)copy_rest(r, n);
      out.nonce = std::move(n);
      return ParseError::Ok;
    }
    case PayloadType::IdI:
    case PayloadType::IdR: {
      auto& slot = type == PayloadType::IdI ? out.idi : out.idr;
      if (slot) return ParseError::Duplicate;
      IdPayload id;
      uint8_t r1 = 0;
      uint16_t r2 = 0;
      if (!r.read_u8(id.id_type) || !r.read_u8(r1) || !r.read_u16(r2)) return ParseError::Truncated;
      (void)copy_rest(r, id.data);
      id.body.assign(in.begin(), in.end());
      slot = std::move(id);
      return ParseError::Ok;
    }
    case PayloadType::Cert: {
      CertPayload c;
      if (!r.read_u8(c.encoding)) return ParseError::Truncated;
      (void)copy_rest(r, c.data);
      out.certs.push_back(std::move(c));
      return ParseError::Ok;
    }
    case PayloadType::CertReq:
      if (in.empty()) return ParseError::Truncated;
      ++out.certreq_count;
      return ParseError::Ok;
    case PayloadType::Auth: {
      if (out.auth) return ParseError::Duplicate;
      AuthPayload a;
      uint8_t r1 = 0;
      uint16_t r2 = 0;
      if (!r.read_u8(a.method) || !r.read_u8(r1) || !r.read_u16(r2)) return ParseError::Truncated;
      (void)copy_rest(r, a.data);
      out.auth = std::move(a);
      return ParseError::Ok;
    }
    case PayloadType::Notify: {
      NotifyPayload n;
      uint8_t spi_len = 0;
      std::span<const uint8_t> spi;
      if (!r.read_u8(n.protocol) || !r.read_u8(spi_len) || !r.read_u16(n.type) || !r.read_bytes(spi_len, spi))
        return ParseError::Truncated;
      n.spi.assign(spi.begin(), spi.end());
      (void)copy_rest(r, n.data);
      out.notifies.push_back(std::move(n));
      return ParseError::Ok;
    }
    case PayloadType::Delete: {
      DeletePayload d;
      uint8_t proto = 0;
      uint16_t count = 0;
      if (!r.read_u8(proto) || !r.read_u8(d.spi_len) || !r.read_u16(count)) return ParseError::Truncated;
      d.protocol = static_cast<ProtocolId>(proto);
      // RFC 7296 3.11: the SPI count times the SPI size must fill the payload.
      if (size_t{count} * d.spi_len != r.remaining()) return ParseError::BadLength;
      for (uint16_t i = 0; i < count; ++i) {
        std::span<const uint8_t> spi;
        if (!r.read_bytes(d.spi_len, spi)) return ParseError::Truncated;
        d.spis.emplace_back(spi.begin(), spi.end());
      }
      out.deletes.push_back(std::move(d));
      return ParseError::Ok;
    }
    case PayloadType::TsI:
    case PayloadType::TsR: {
      auto& slot = type == PayloadType::TsI ? out.tsi : out.tsr;
      if (slot) return ParseError::Duplicate;
      std::vector<TrafficSelector> ts;
      if (auto e = parse_ts(in, ts); e != ParseError::Ok) return e;
      slot = std::move(ts);
      return ParseError::Ok;
    }
    case PayloadType::Vendor:
      ++out.vendor_count;
      return ParseError::Ok;
    case PayloadType::Cp: {
      // Parsed for structure and ignored: we never request or assign addresses (RFC 7296 3.15).
      uint8_t cfg_type = 0;
      uint8_t r1 = 0;
      uint16_t r2 = 0;
      if (!r.read_u8(cfg_type) || !r.read_u8(r1) || !r.read_u16(r2)) return ParseError::Truncated;
      while (!r.empty()) {
        uint16_t atype = 0, alen = 0;
        if (!r.read_u16(atype) || !r.read_u16(alen) || !r.skip(alen)) return ParseError::BadAttribute;
      }
      ++out.cp_count;
      return ParseError::Ok;
    }
    default:
      ++out.unknown_count;
      return ParseError::Ok;
  }
}

bool known_payload(PayloadType t) {
  const auto v = static_cast<uint8_t>(t);
  return v >= 33 && v <= 48;
}

}  // namespace

ParseError parse_sa(std::span<const uint8_t> body, std::vector<Proposal>& out) {
  ByteReader r(body);
  uint8_t expected = 1;
  if (r.empty()) return ParseError::BadProposal;
  while (!r.empty()) {
    // Peek at the Last Substruc octet to know whether this is the last proposal.
    uint8_t last = 0;
    if (!r.peek_u8(last)) return ParseError::Truncated;
    Proposal p;
    if (auto e = parse_proposal(r, p, last == 0, out.empty() ? 0 : expected); e != ParseError::Ok) {
      return e;
    }
    if (out.empty() && p.number != 1) return ParseError::BadProposal;
    expected = p.number;
    out.push_back(std::move(p));
    if (last == 0 && !r.empty()) return ParseError::TrailingBytes;
  }
  return ParseError::Ok;
}

ParseError parse_ts(std::span<const uint8_t> body, std::vector<TrafficSelector>& out) {
  ByteReader r(body);
  uint8_t count = 0, r1 = 0;
  uint16_t r2 = 0;
  if (!r.read_u8(count) || !r.read_u8(r1) || !r.read_u16(r2)) return ParseError::Truncated;
  if (count == 0) return ParseError::BadTrafficSelector;
  for (uint8_t i = 0; i < count; ++i) {
    TrafficSelector ts;
    uint16_t len = 0;
    if (!r.read_u8(ts.ts_type) || !r.read_u8(ts.ip_protocol) || !r.read_u16(len)) return ParseError::Truncated;
    size_t addr_len = ts.ts_type == 7 ? 4 : ts.ts_type == 8 ? 16 : 0;
    if (addr_len == 0) return ParseError::BadTrafficSelector;
    // RFC 7296 3.13.1: the selector length covers the header, ports and both addresses.
    if (len != 8 + 2 * addr_len) return ParseError::BadTrafficSelector;
    std::span<const uint8_t> a, b;
    if (!r.read_u16(ts.start_port) || !r.read_u16(ts.end_port) || !r.read_bytes(addr_len, a) ||
        !r.read_bytes(addr_len, b))
      return ParseError::Truncated;
    ts.start_addr.assign(a.begin(), a.end());
    ts.end_addr.assign(b.begin(), b.end());
    out.push_back(std::move(ts));
  }
  if (!r.empty()) return ParseError::TrailingBytes;
  return ParseError::Ok;
}

ParseError parse_payloads(PayloadType first, std::span<const uint8_t> in, Payloads& out,
                          std::optional<SkLocation>* sk, size_t base_offset) {
  ByteReader r(in);
  PayloadType next = first;
  while (next != PayloadType::None) {
    const size_t at = in.size() - r.remaining();
    uint8_t np = 0, flags = 0;
    uint16_t len = 0;
    if (!r.read_u8(np) || !r.read_u8(flags) || !r.read_u16(len)) return ParseError::Truncated;
    if (len < kGenericHeaderLen) return ParseError::BadLength;
    std::span<const uint8_t> body;
    if (!r.read_bytes(len - kGenericHeaderLen, body)) return ParseError::Truncated;
    const bool critical = (flags & 0x80) != 0;
    if (next == PayloadType::Sk) {
      // RFC 7296 3.14: SK is the last payload; its Next Payload names the first inner one.
      if (sk == nullptr) return ParseError::Duplicate;
      if (!r.empty()) return ParseError::SkNotLast;
      *sk = SkLocation{static_cast<PayloadType>(np), base_offset + at, base_offset + at + kGenericHeaderLen,
                       body.size()};
      return ParseError::Ok;
    }
    if (!known_payload(next) || next == PayloadType::Eap) {
      // RFC 7296 2.5: unknown critical payloads reject the message, others are skipped.
      if (critical) return ParseError::UnsupportedCritical;
      ++out.unknown_count;
    } else if (auto e = parse_body(next, body, out); e != ParseError::Ok) {
      return e;
    }
    next = static_cast<PayloadType>(np);
  }
  if (!r.empty()) return ParseError::TrailingBytes;
  return ParseError::Ok;
}

ParseError parse_message(std::span<const uint8_t> msg, Message& out) {
  if (msg.size() > kMaxMessageLen) return ParseError::BadLength;  // no IKE datagram is larger
  ByteReader r(msg);
  if (auto e = parse_header(r, out.header); e != ParseError::Ok) return e;
  // RFC 7296 3.1: Length is the total message length; it must match the datagram exactly.
  if (out.header.length != msg.size()) return out.header.length > msg.size() ? ParseError::Truncated
                                                                            : ParseError::TrailingBytes;
  return parse_payloads(out.header.next_payload, r.rest(), out.payloads, &out.sk, kHeaderLen);
}

// ---------------------------------------------------------------------------------------------

void ChainBuilder::write(ByteWriter& w, PayloadType last_next) const {
  for (size_t i = 0; i < items_.size(); ++i) {
    const PayloadType next = i + 1 < items_.size() ? items_[i + 1].type : last_next;
    w.put_u8(static_cast<uint8_t>(next));
    w.put_u8(0);
    w.put_u16(static_cast<uint16_t>(items_[i].body.size() + kGenericHeaderLen));
    w.put_bytes(items_[i].body);
  }
}

void write_header(ByteWriter& w, const Header& h) {
  w.put_u64(h.spi_i);
  w.put_u64(h.spi_r);
  w.put_u8(static_cast<uint8_t>(h.next_payload));
  w.put_u8(kIkeVersion);
  w.put_u8(static_cast<uint8_t>(h.exchange));
  w.put_u8(h.flags);
  w.put_u32(h.message_id);
  w.put_u32(0);
}

void patch_length(ByteWriter& w) { w.patch_u32(24, static_cast<uint32_t>(w.size())); }

std::vector<uint8_t> build_plain_message(Header h, const ChainBuilder& chain) {
  h.next_payload = chain.first();
  ByteWriter w;
  write_header(w, h);
  chain.write(w);
  patch_length(w);
  return w.take();
}

std::vector<uint8_t> build_sa(const std::vector<Proposal>& proposals) {
  ByteWriter w;
  for (size_t pi = 0; pi < proposals.size(); ++pi) {
    const Proposal& p = proposals[pi];
    w.put_u8(pi + 1 == proposals.size() ? 0 : 2);
    w.put_u8(0);
    const size_t len_at = w.mark_u16();
    const size_t start = len_at - 2;
    w.put_u8(p.number);
    w.put_u8(static_cast<uint8_t>(p.protocol));
    w.put_u8(static_cast<uint8_t>(p.spi.size()));
    w.put_u8(static_cast<uint8_t>(p.transforms.size()));
    w.put_bytes(p.spi);
    for (size_t ti = 0; ti < p.transforms.size(); ++ti) {
      const Transform& t = p.transforms[ti];
      w.put_u8(ti + 1 == p.transforms.size() ? 0 : 3);
      w.put_u8(0);
      const size_t tlen_at = w.mark_u16();
      const size_t tstart = tlen_at - 2;
      w.put_u8(static_cast<uint8_t>(t.type));
      w.put_u8(0);
      w.put_u16(t.id);
      auto tv = [&](uint16_t type, uint16_t value) {
        w.put_u16(static_cast<uint16_t>(0x8000 | type));
        w.put_u16(value);
      };
      if (t.key_len) tv(kAttrKeyLength, *t.key_len);
      if (t.macsec_offset) tv(kAttrMacsecOffset, *t.macsec_offset);
      if (t.macsec_confidentiality) tv(kAttrMacsecConfidentiality, *t.macsec_confidentiality);
      w.patch_u16(tlen_at, static_cast<uint16_t>(w.size() - tstart));
    }
    w.patch_u16(len_at, static_cast<uint16_t>(w.size() - start));
  }
  return w.take();
}

std::vector<uint8_t> build_ke(uint16_t group, std::span<const uint8_t> data) {
  ByteWriter w;
  w.bytes().reserve(4 + data.size());  // also keeps GCC 12's -Wstringop-overflow quiet
  w.put_u16(group);
  w.put_u16(0);
  w.put_bytes(data);
  return w.take();
}

std::vector<uint8_t> build_id(uint8_t id_type, std::span<const uint8_t> data) {
  ByteWriter w;
  w.bytes().reserve(4 + data.size());
  w.put_u8(id_type);
  w.put_zeros(3);
  w.put_bytes(data);
  return w.take();
}

std::vector<uint8_t> build_cert(uint8_t encoding, std::span<const uint8_t> data) {
  ByteWriter w;
  w.bytes().reserve(4 + data.size());
  w.put_u8(encoding);
  w.put_bytes(data);
  return w.take();
}

std::vector<uint8_t> build_auth(uint8_t method, std::span<const uint8_t> data) {
  ByteWriter w;
  w.bytes().reserve(4 + data.size());
  w.put_u8(method);
  w.put_zeros(3);
  w.put_bytes(data);
  return w.take();
}

std::vector<uint8_t> build_notify(uint8_t protocol, std::span<const uint8_t> spi, NotifyType type,
                                  std::span<const uint8_t> data) {
  ByteWriter w;
  w.bytes().reserve(4 + spi.size() + data.size());  // also keeps GCC 12's -Wstringop-overflow quiet
  w.put_u8(protocol);
  w.put_u8(static_cast<uint8_t>(spi.size()));
  w.put_u16(static_cast<uint16_t>(type));
  w.put_bytes(spi);
  w.put_bytes(data);
  return w.take();
}

std::vector<uint8_t> build_delete(ProtocolId protocol, uint8_t spi_len,
                                  const std::vector<std::vector<uint8_t>>& spis) {
  ByteWriter w;
  w.put_u8(static_cast<uint8_t>(protocol));
  w.put_u8(spi_len);
  w.put_u16(static_cast<uint16_t>(spis.size()));
  for (const auto& s : spis) w.put_bytes(s);
  return w.take();
}

std::vector<uint8_t> build_ts(const std::vector<TrafficSelector>& ts) {
  ByteWriter w;
  w.put_u8(static_cast<uint8_t>(ts.size()));
  w.put_zeros(3);
  for (const auto& t : ts) {
    w.put_u8(t.ts_type);
    w.put_u8(t.ip_protocol);
    w.put_u16(static_cast<uint16_t>(8 + t.start_addr.size() + t.end_addr.size()));
    w.put_u16(t.start_port);
    w.put_u16(t.end_port);
    w.put_bytes(t.start_addr);
    w.put_bytes(t.end_addr);
  }
  return w.take();
}

}  // namespace linkcrypt::ike
