// encode / parse of the dataplane <-> keying process messages (keying_wire.h). Every parse is all-or-nothing.
#include "keying_wire.h"

#include "byte_reader.h"
#include "byte_writer.h"
#include "ipc_frame.h"

namespace linkcrypt::ipc {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// clang 14 (the fuzz build) needs the deduction guide that GCC infers for aggregates.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void put_text(ByteWriter& w, const std::string& s) {
  const size_t n = std::min(s.size(), kMaxText);
  w.put_u16(static_cast<uint16_t>(n));
  w.put_bytes({reinterpret_cast<const uint8_t*>(s.data()), n});
}

bool read_text(ByteReader& r, std::string& out) {
  uint16_t n = 0;
  std::span<const uint8_t> b;
  if (!r.read_u16(n) || n > kMaxText || !r.read_bytes(n, b)) return false;
  out.assign(b.begin(), b.end());
  return true;
}

bool read_bool(ByteReader& r, bool& out) {
  uint8_t v = 0;
  if (!r.read_u8(v) || v > 1) return false;
  out = v == 1;
  return true;
}

bool read_an(ByteReader& r, uint8_t& an) { return r.read_u8(an) && an < 4; }

bool read_secret(ByteReader& r, SecretBytes& out, std::initializer_list<size_t> lengths) {
  uint8_t n = 0;
  std::span<const uint8_t> b;
  if (!r.read_u8(n) || !r.read_bytes(n, b)) return false;
  for (size_t l : lengths) {
    if (l == n) {
      out = SecretBytes(b);
      return true;
    }
  }
  return false;
}

bool parse_suite(uint16_t v, ike::MacsecSuite& out) {
  using S = ike::MacsecSuite;
  for (S s : {S::GcmAes128, S::GcmAes256, S::GcmAesXpn128, S::GcmAesXpn256}) {
    if (static_cast<uint16_t>(s) == v) {
      out = s;
      return true;
    }
  }
  return false;
}

bool suite_is_xpn(ike::MacsecSuite s) { return s == ike::MacsecSuite::GcmAesXpn128 || s == ike::MacsecSuite::GcmAesXpn256; }
size_t suite_key_len(ike::MacsecSuite s) {
  return s == ike::MacsecSuite::GcmAes128 || s == ike::MacsecSuite::GcmAesXpn128 ? 16 : 32;
}

bool parse_body(KeyingMsg type, ByteReader& r, KeyingMessage& out) {
  switch (type) {
    case KeyingMsg::Hello: {
      Hello h;
      if (!r.read_into(h.mac)) return false;
      out = h;
      return true;
    }
    case KeyingMsg::KxIn:
    case KeyingMsg::KxOut: {
      uint16_t n = 0;
      std::span<const uint8_t> b;
      if (!r.read_u16(n) || n == 0 || n > kMaxKxFrame || !r.read_bytes(n, b)) return false;
      out = KxFrame{{b.begin(), b.end()}};
      return true;
    }
    case KeyingMsg::Counters: {
      Counters c;
      uint16_t n = 0;
      if (!r.read_u64(c.drops) || !read_bool(r, c.tx_threshold_reached) || !r.read_u16(n) || n > kMaxSasReported) return false;
      for (uint16_t i = 0; i < n; ++i) {
        SaCounter s;
        if (!read_bool(r, s.tx) || !r.read_u64(s.sci) || !read_an(r, s.an) || !r.read_u64(s.value)) return false;
        c.sas.push_back(s);
      }
      out = std::move(c);
      return true;
    }
    case KeyingMsg::RekeyRequest: out = RekeyRequest{}; return true;
    case KeyingMsg::InstallSa: {
      InstallSa s;
      uint16_t suite = 0;
      if (!read_bool(r, s.tx) || !r.read_u16(suite) || !parse_suite(suite, s.suite)) return false;
      if (!r.read_u64(s.key_id) || !r.read_u64(s.sci) || !read_an(r, s.an) || !r.read_u32(s.ssci)) return false;
      if (!read_secret(r, s.sak, {suite_key_len(s.suite)})) return false;
      if (!read_secret(r, s.salt, {suite_is_xpn(s.suite) ? size_t{12} : size_t{0}})) return false;
      out = std::move(s);
      return true;
    }
    case KeyingMsg::ReinstallSa: {
      ReinstallSa s;
      if (!read_bool(r, s.tx) || !r.read_u64(s.key_id)) return false;
      out = s;
      return true;
    }
    case KeyingMsg::SwitchTx: {
      SwitchTx s;
      if (!read_an(r, s.an)) return false;
      out = s;
      return true;
    }
    case KeyingMsg::RetireTx: {
      RetireTx s;
      if (!read_an(r, s.an)) return false;
      out = s;
      return true;
    }
    case KeyingMsg::RetireRx: {
      RetireRx s;
      if (!r.read_u64(s.sci) || !read_an(r, s.an)) return false;
      out = s;
      return true;
    }
    case KeyingMsg::Status: {
      Status s;
      uint8_t has = 0;
      if (!r.read_u8(s.link_state) || s.link_state > 3) return false;
      if (!read_bool(r, s.initiator) || !read_bool(r, s.rotation_in_progress)) return false;
      if (!r.read_u8(has) || has > 1) return false;
      if (has) {
        uint8_t an = 0;
        if (!read_an(r, an)) return false;
        s.tx_an = an;
      }
      if (!r.read_u8(has) || has > 1) return false;
      if (has) {
        uint64_t id = 0;
        if (!r.read_u64(id)) return false;
        s.tx_key_id = id;
      }
      if (!r.read_u64(s.rotations) || !read_text(r, s.transport) || !read_text(r, s.peer_id) || !read_text(r, s.ike_state)) return false;
      if (!r.read_u8(has) || has > 1) return false;
      if (has) {
        std::pair<uint64_t, uint64_t> spis;
        if (!r.read_u64(spis.first) || !r.read_u64(spis.second)) return false;
        s.ike_spis = spis;
      }
      if (!read_text(r, s.failure) || !read_text(r, s.failure_hint) || !r.read_u64(s.failure_s_ago)) return false;
      out = std::move(s);
      return true;
    }
  }
  return false;
}

}  // namespace

bool from_dataplane(KeyingMsg t) { return static_cast<uint8_t>(t) < 0x40; }

std::vector<uint8_t> encode(KeyingMsg type, uint32_t seq, const KeyingMessage& m) {
  ByteWriter w;
  // Room for the largest fixed message up front: a vector that grows leaves a freed copy of a SAK behind.
  w.bytes().reserve(std::holds_alternative<KxFrame>(m) ? ipc::kHeaderLen + 2 + std::get<KxFrame>(m).frame.size() : 1024);
  begin_frame(w, kKeyingWireVersion, static_cast<uint8_t>(type), seq);
  std::visit(Overloaded{
                 [&](const Hello& h) { w.put_bytes(h.mac); },
                 [&](const KxFrame& f) {
                   w.put_u16(static_cast<uint16_t>(f.frame.size()));
                   w.put_bytes(f.frame);
                 },
                 [&](const Counters& c) {
                   w.put_u64(c.drops);
                   w.put_u8(c.tx_threshold_reached ? 1 : 0);
                   const size_t n = std::min(c.sas.size(), kMaxSasReported);
                   w.put_u16(static_cast<uint16_t>(n));
                   for (size_t i = 0; i < n; ++i) {
                     w.put_u8(c.sas[i].tx ? 1 : 0);
                     w.put_u64(c.sas[i].sci);
                     w.put_u8(c.sas[i].an);
                     w.put_u64(c.sas[i].value);
                   }
                 },
                 [&](const RekeyRequest&) {},
                 [&](const InstallSa& s) {
                   w.put_u8(s.tx ? 1 : 0);
                   w.put_u16(static_cast<uint16_t>(s.suite));
                   w.put_u64(s.key_id);
                   w.put_u64(s.sci);
                   w.put_u8(s.an);
                   w.put_u32(s.ssci);
                   w.put_u8(static_cast<uint8_t>(s.sak.size()));
                   w.put_bytes(s.sak.view());
                   w.put_u8(static_cast<uint8_t>(s.salt.size()));
                   w.put_bytes(s.salt.view());
                 },
                 [&](const ReinstallSa& s) {
                   w.put_u8(s.tx ? 1 : 0);
                   w.put_u64(s.key_id);
                 },
                 [&](const SwitchTx& s) { w.put_u8(s.an); },
                 [&](const RetireTx& s) { w.put_u8(s.an); },
                 [&](const RetireRx& s) {
                   w.put_u64(s.sci);
                   w.put_u8(s.an);
                 },
                 [&](const Status& s) {
                   w.put_u8(s.link_state);
                   w.put_u8(s.initiator ? 1 : 0);
                   w.put_u8(s.rotation_in_progress ? 1 : 0);
                   w.put_u8(s.tx_an ? 1 : 0);
                   if (s.tx_an) w.put_u8(*s.tx_an);
                   w.put_u8(s.tx_key_id ? 1 : 0);
                   if (s.tx_key_id) w.put_u64(*s.tx_key_id);
                   w.put_u64(s.rotations);
                   put_text(w, s.transport);
                   put_text(w, s.peer_id);
                   put_text(w, s.ike_state);
                   w.put_u8(s.ike_spis ? 1 : 0);
                   if (s.ike_spis) {
                     w.put_u64(s.ike_spis->first);
                     w.put_u64(s.ike_spis->second);
                   }
                   put_text(w, s.failure);
                   put_text(w, s.failure_hint);
                   w.put_u64(s.failure_s_ago);
                 },
             },
             m);
  return end_frame(w);
}

std::optional<Decoded> parse(std::span<const uint8_t> frame) {
  ByteReader r;
  uint8_t type = 0;
  Decoded d;
  if (!read_frame_header(frame, kMaxKeyingFrame, kKeyingWireVersion, r, type, d.seq)) return std::nullopt;
  d.type = static_cast<KeyingMsg>(type);
  if (keying_msg_name(d.type) == "unknown") return std::nullopt;
  if (!parse_body(d.type, r, d.msg) || !r.empty()) return std::nullopt;
  return d;
}

std::string_view keying_msg_name(KeyingMsg t) {
  switch (t) {
    case KeyingMsg::Hello: return "hello";
    case KeyingMsg::KxIn: return "kx-in";
    case KeyingMsg::Counters: return "counters";
    case KeyingMsg::RekeyRequest: return "rekey";
    case KeyingMsg::KxOut: return "kx-out";
    case KeyingMsg::InstallSa: return "install-sa";
    case KeyingMsg::ReinstallSa: return "reinstall-sa";
    case KeyingMsg::SwitchTx: return "switch-tx";
    case KeyingMsg::RetireTx: return "retire-tx";
    case KeyingMsg::RetireRx: return "retire-rx";
    case KeyingMsg::Status: return "status";
  }
  return "unknown";
}

}  // namespace linkcrypt::ipc
