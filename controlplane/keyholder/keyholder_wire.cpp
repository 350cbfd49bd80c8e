// encode_* / parse_*: the key holder's frames (keyholder_wire.h). Every parse is all-or-nothing.
#include "keyholder_wire.h"

#include "byte_reader.h"
#include "byte_writer.h"
#include "ipc_frame.h"

namespace linkcrypt::keyholder {
namespace {

constexpr size_t kMaxDetail = 1024;  // a refused token key's line with its hint
constexpr size_t kMaxIdentity = 1024;

void put_header(ByteWriter& w, MsgType t, uint32_t id) {
  ipc::begin_frame(w, kWireVersion, static_cast<uint8_t>(t), id);
}

std::vector<uint8_t> finish(ByteWriter& w) { return ipc::end_frame(w); }

void put_use(ByteWriter& w, const ike::KeyUseContext& u) {
  w.put_u8(static_cast<uint8_t>(u.purpose));
  w.put_u64(u.spi_i);
  w.put_u64(u.spi_r);
  if (u.peer && u.peer->data.size() <= kMaxIdentity) {
    w.put_u8(1);
    w.put_u8(static_cast<uint8_t>(u.peer->type));
    w.put_u16(static_cast<uint16_t>(u.peer->data.size()));
    w.put_bytes(u.peer->data);
  } else {
    w.put_u8(0);
  }
}

bool parse_id_type(uint8_t v, ike::IdType& out) {
  using T = ike::IdType;
  for (T t : {T::Ipv4Addr, T::Fqdn, T::Rfc822Addr, T::Ipv6Addr, T::DerAsn1Dn, T::KeyId}) {
    if (static_cast<uint8_t>(t) == v) {
      out = t;
      return true;
    }
  }
  return false;
}

bool read_use(ByteReader& r, ike::KeyUseContext& u) {
  uint8_t purpose = 0, has_peer = 0;
  if (!r.read_u8(purpose) || purpose > static_cast<uint8_t>(ike::KeyPurpose::VerifyPeerAuth)) return false;
  u.purpose = static_cast<ike::KeyPurpose>(purpose);
  if (!r.read_u64(u.spi_i) || !r.read_u64(u.spi_r) || !r.read_u8(has_peer) || has_peer > 1) return false;
  if (has_peer == 0) return true;
  uint8_t type = 0;
  uint16_t len = 0;
  std::span<const uint8_t> data;
  ike::Identity id;
  if (!r.read_u8(type) || !parse_id_type(type, id.type)) return false;
  if (!r.read_u16(len) || len > kMaxIdentity || !r.read_bytes(len, data)) return false;
  id.data.assign(data.begin(), data.end());
  u.peer = std::move(id);
  return true;
}

bool read_octets(ByteReader& r, std::vector<uint8_t>& out) {
  uint32_t len = 0;
  std::span<const uint8_t> b;
  if (!r.read_u32(len) || len > kMaxOctets || !r.read_bytes(len, b)) return false;
  out.assign(b.begin(), b.end());
  return true;
}

// The common header (ipc_frame.h): length matches the frame, version known. Leaves r at the body.
bool read_header(std::span<const uint8_t> frame, ByteReader& r, uint8_t& type, uint32_t& id) {
  return ipc::read_frame_header(frame, kMaxFrame, kWireVersion, r, type, id);
}

bool parse_prf(uint16_t v, ike::Prf& out) {
  using P = ike::Prf;
  for (P p : {P::HmacSha2_256, P::HmacSha2_384, P::HmacSha2_512}) {
    if (static_cast<uint16_t>(p) == v) {
      out = p;
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<uint8_t> encode_request(const Request& q) {
  ByteWriter w;
  put_header(w, q.type, q.id);
  if (q.type == MsgType::PskAuth) w.put_u16(static_cast<uint16_t>(q.prf));
  if (q.type == MsgType::PskAuth || q.type == MsgType::Sign) {
    put_use(w, q.use);
    w.put_u32(static_cast<uint32_t>(q.octets.size()));
    w.put_bytes(q.octets);
  }
  return finish(w);
}

std::vector<uint8_t> encode_answer(const Answer& a) {
  ByteWriter w;
  if (a.result.ok()) {
    put_header(w, MsgType::AnswerBytes, a.id);
    w.put_u32(static_cast<uint32_t>(a.result.bytes.size()));
    w.put_bytes(a.result.bytes);
  } else {
    put_header(w, MsgType::AnswerError, a.id);
    w.put_u8(static_cast<uint8_t>(a.result.error));
    const std::string_view d = std::string_view(a.result.detail).substr(0, kMaxDetail);
    w.put_u16(static_cast<uint16_t>(d.size()));
    w.put_bytes({reinterpret_cast<const uint8_t*>(d.data()), d.size()});
  }
  return finish(w);
}

std::optional<Request> parse_request(std::span<const uint8_t> frame) {
  ByteReader r;
  uint8_t type = 0;
  Request q;
  if (!read_header(frame, r, type, q.id)) return std::nullopt;
  switch (static_cast<MsgType>(type)) {
    case MsgType::PskAuth: {
      uint16_t prf = 0;
      if (!r.read_u16(prf) || !parse_prf(prf, q.prf)) return std::nullopt;
      if (!read_use(r, q.use) || !read_octets(r, q.octets)) return std::nullopt;
      break;
    }
    case MsgType::Sign:
      if (!read_use(r, q.use) || !read_octets(r, q.octets)) return std::nullopt;
      break;
    case MsgType::PublicKey:
    case MsgType::Describe: break;
    default: return std::nullopt;
  }
  q.type = static_cast<MsgType>(type);
  if (!r.empty()) return std::nullopt;
  return q;
}

std::optional<Answer> parse_answer(std::span<const uint8_t> frame) {
  ByteReader r;
  uint8_t type = 0;
  Answer a;
  if (!read_header(frame, r, type, a.id)) return std::nullopt;
  if (type == static_cast<uint8_t>(MsgType::AnswerBytes)) {
    if (!read_octets(r, a.result.bytes)) return std::nullopt;
  } else if (type == static_cast<uint8_t>(MsgType::AnswerError)) {
    uint8_t e = 0;
    uint16_t len = 0;
    std::span<const uint8_t> d;
    // None is not an error: an error answer must name one.
    if (!r.read_u8(e) || e == 0 || e > static_cast<uint8_t>(ike::KeyError::Failed)) return std::nullopt;
    if (!r.read_u16(len) || len > kMaxDetail || !r.read_bytes(len, d)) return std::nullopt;
    a.result.error = static_cast<ike::KeyError>(e);
    a.result.detail.assign(d.begin(), d.end());
  } else {
    return std::nullopt;
  }
  if (!r.empty()) return std::nullopt;
  return a;
}

std::string_view msg_type_name(MsgType t) {
  switch (t) {
    case MsgType::PskAuth: return "psk-auth";
    case MsgType::Sign: return "sign";
    case MsgType::PublicKey: return "public-key";
    case MsgType::Describe: return "describe";
    case MsgType::AnswerBytes: return "answer";
    case MsgType::AnswerError: return "error";
  }
  return "unknown";
}

std::string_view key_error_name(ike::KeyError e) {
  using E = ike::KeyError;
  switch (e) {
    case E::None: return "ok";
    case E::Unavailable: return "unavailable";
    case E::NotFound: return "not-found";
    case E::Denied: return "denied";
    case E::Unsupported: return "unsupported";
    case E::Failed: return "failed";
  }
  return "unknown";
}

}  // namespace linkcrypt::keyholder
