// SA proposal construction, selection and rendering for IKE, MACsec (private-use IDs) and ESP.
#include "ike_proposals.h"

#include <algorithm>

namespace linkcrypt::ike {

uint32_t spi_u32(std::span<const uint8_t> spi) {
  uint32_t v = 0;
  for (uint8_t b : spi) v = (v << 8) | b;
  return v;
}
uint64_t spi_u64(std::span<const uint8_t> spi) {
  uint64_t v = 0;
  for (uint8_t b : spi) v = (v << 8) | b;
  return v;
}
std::vector<uint8_t> spi_bytes(uint32_t spi) {
  return {static_cast<uint8_t>(spi >> 24), static_cast<uint8_t>(spi >> 16), static_cast<uint8_t>(spi >> 8),
          static_cast<uint8_t>(spi)};
}
std::vector<uint8_t> spi_bytes(uint64_t spi) {
  std::vector<uint8_t> out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(spi >> (56 - 8 * i));
  return out;
}

namespace {

Transform tf(TransformType t, uint16_t id, std::optional<uint16_t> key_len = std::nullopt) {
  Transform x;
  x.type = t;
  x.id = id;
  x.key_len = key_len;
  return x;
}

bool is_macsec_suite(uint16_t id) { return id >= 1024 && id <= 1027; }

// RFC 7296 3.3: an AEAD proposal carries no integrity transform, or only NONE (0).
bool integ_ok(const Proposal& p) {
  for (const auto& t : p.transforms)
    if (t.type == TransformType::Integ && t.id != 0) return false;
  return true;
}

bool has_unknown_type(const Proposal& p, bool allow_esn, bool allow_ke) {
  for (const auto& t : p.transforms) {
    switch (t.type) {
      case TransformType::Encr: case TransformType::Integ: break;
      case TransformType::Prf: if (p.protocol != ProtocolId::Ike) return true; break;
      case TransformType::Ke: if (!allow_ke && t.id != 0) return true; break;
      case TransformType::Esn: if (!allow_esn) return true; break;
      default: return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Proposal> build_ike_offer(const std::vector<IkeProposal>& cfg, std::span<const uint8_t> spi) {
  std::vector<Proposal> out;
  uint8_t n = 1;
  for (const auto& c : cfg) {
    Proposal p;
    p.number = n++;
    p.protocol = ProtocolId::Ike;
    p.spi.assign(spi.begin(), spi.end());
    for (uint16_t bits : c.aes_gcm16_key_bits) p.transforms.push_back(tf(TransformType::Encr, kEncrAesGcm16, bits));
    for (Prf f : c.prfs) p.transforms.push_back(tf(TransformType::Prf, static_cast<uint16_t>(f)));
    for (DhGroup g : c.groups) p.transforms.push_back(tf(TransformType::Ke, static_cast<uint16_t>(g)));
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<IkeSuite> select_ike(const std::vector<Proposal>& peer, const std::vector<IkeProposal>& ours,
                                   Proposal& chosen) {
  for (const auto& p : peer) {
    if (p.protocol != ProtocolId::Ike || !integ_ok(p) || has_unknown_type(p, false, true)) continue;
    for (const auto& o : ours) {
      std::optional<Transform> encr, prf_t, ke;
      for (const auto& t : p.transforms) {
        if (t.unknown_attribute) continue;
        if (!encr && t.type == TransformType::Encr && t.id == kEncrAesGcm16 && t.key_len &&
            std::count(o.aes_gcm16_key_bits.begin(), o.aes_gcm16_key_bits.end(), *t.key_len))
          encr = t;
        if (!prf_t && t.type == TransformType::Prf &&
            std::count(o.prfs.begin(), o.prfs.end(), static_cast<Prf>(t.id)))
          prf_t = t;
        if (!ke && t.type == TransformType::Ke && std::count(o.groups.begin(), o.groups.end(), static_cast<DhGroup>(t.id)))
          ke = t;
      }
      if (encr && prf_t && ke) {
        chosen = Proposal{p.number, ProtocolId::Ike, p.spi, {*encr, *prf_t, *ke}};
        return IkeSuite{*encr->key_len, static_cast<Prf>(prf_t->id), static_cast<DhGroup>(ke->id)};
      }
    }
  }
  return std::nullopt;
}

std::optional<IkeSuite> validate_ike_choice(const std::vector<Proposal>& answer, const std::vector<Proposal>& offered) {
  // RFC 7296 3.3.1: the response has exactly one proposal with one transform of each type.
  if (answer.size() != 1) return std::nullopt;
  const Proposal& a = answer[0];
  const Proposal* mine = nullptr;
  for (const auto& o : offered)
    if (o.number == a.number) mine = &o;
  if (mine == nullptr || a.protocol != ProtocolId::Ike) return std::nullopt;
  IkeSuite s;
  int seen = 0;
  for (const auto& t : a.transforms) {
    if (std::find(mine->transforms.begin(), mine->transforms.end(), t) == mine->transforms.end()) return std::nullopt;
    if (t.type == TransformType::Encr) { s.encr_key_bits = *t.key_len; seen |= 1; }
    else if (t.type == TransformType::Prf) { s.prf = static_cast<Prf>(t.id); seen |= 2; }
    else if (t.type == TransformType::Ke) { s.group = static_cast<DhGroup>(t.id); seen |= 4; }
    else return std::nullopt;
  }
  if (seen != 7 || a.transforms.size() != 3) return std::nullopt;
  return s;
}

std::vector<Proposal> build_child_offer(const ChildConfig& cfg, uint32_t spi, bool with_ke,
                                        std::optional<DhGroup> first_group) {
  Proposal p;
  p.number = 1;
  p.spi = spi_bytes(spi);
  if (cfg.kind == ChildKind::Macsec) {
    // docs/protocol.md: protocol 201, ENCR = suite (1024-1027), offset/confidentiality attributes.
    p.protocol = ProtocolId::Macsec;
    for (MacsecSuite s : cfg.macsec.suites) {
      Transform t = tf(TransformType::Encr, static_cast<uint16_t>(s));
      t.macsec_offset = cfg.macsec.confidentiality_offset;
      t.macsec_confidentiality = cfg.macsec.confidentiality ? 1 : 0;
      p.transforms.push_back(t);
    }
  } else {
    p.protocol = ProtocolId::Esp;
    for (uint16_t bits : cfg.esp.aes_gcm16_key_bits) p.transforms.push_back(tf(TransformType::Encr, kEncrAesGcm16, bits));
  }
  if (with_ke) {
    std::vector<DhGroup> groups = cfg.pfs_groups;
    if (first_group) {
      std::erase(groups, *first_group);
      groups.insert(groups.begin(), *first_group);
    }
    for (DhGroup g : groups) p.transforms.push_back(tf(TransformType::Ke, static_cast<uint16_t>(g)));
  }
  if (cfg.kind == ChildKind::Esp) p.transforms.push_back(tf(TransformType::Esn, 0));  // no ESN
  return {p};
}

std::optional<ChildSuite> select_child(const std::vector<Proposal>& peer, const ChildConfig& ours, bool want_ke,
                                       Proposal& chosen, uint32_t our_spi) {
  const ProtocolId proto = ours.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp;
  for (const auto& p : peer) {
    if (p.protocol != proto || p.spi.size() != 4 || !integ_ok(p) || has_unknown_type(p, true, true)) continue;
    std::optional<Transform> encr, ke, esn;
    ChildSuite s;
    s.kind = ours.kind;
    bool peer_has_ke = false;
    for (const auto& t : p.transforms) {
      if (t.type == TransformType::Ke && t.id != 0) peer_has_ke = true;
      if (t.unknown_attribute) continue;
      if (!encr && t.type == TransformType::Encr) {
        if (proto == ProtocolId::Macsec && is_macsec_suite(t.id) &&
            std::count(ours.macsec.suites.begin(), ours.macsec.suites.end(), static_cast<MacsecSuite>(t.id)) &&
            t.macsec_offset.value_or(0) == ours.macsec.confidentiality_offset &&
            (t.macsec_confidentiality.value_or(1) != 0) == ours.macsec.confidentiality) {
          encr = t;
          s.macsec = static_cast<MacsecSuite>(t.id);
          s.offset = ours.macsec.confidentiality_offset;
          s.confidentiality = ours.macsec.confidentiality;
        } else if (proto == ProtocolId::Esp && t.id == kEncrAesGcm16 && t.key_len &&
                   std::count(ours.esp.aes_gcm16_key_bits.begin(), ours.esp.aes_gcm16_key_bits.end(), *t.key_len)) {
          encr = t;
          s.esp_key_bits = *t.key_len;
        }
      }
      if (!ke && want_ke && t.type == TransformType::Ke &&
          std::count(ours.pfs_groups.begin(), ours.pfs_groups.end(), static_cast<DhGroup>(t.id))) {
        ke = t;
        s.group = static_cast<DhGroup>(t.id);
      }
      if (!esn && t.type == TransformType::Esn && t.id == 0) esn = t;
    }
    if (!encr) continue;
    if (want_ke && !ke) continue;          // PFS required by our policy
    // Without a KE payload (IKE_AUTH, or a rekey without PFS) KE transforms are ignored
    // (RFC 7296 1.2: IKE_AUTH child proposals may list them; strongSwan does).
    (void)peer_has_ke;
    if (proto == ProtocolId::Esp && !esn) {
      bool any_esn = false;
      for (const auto& t : p.transforms) any_esn |= t.type == TransformType::Esn;
      if (any_esn) continue;
    }
    chosen = Proposal{p.number, proto, spi_bytes(our_spi), {*encr}};
    if (ke) chosen.transforms.push_back(*ke);
    if (esn) chosen.transforms.push_back(*esn);
    return s;
  }
  return std::nullopt;
}

std::optional<ChildSuite> validate_child_choice(const std::vector<Proposal>& answer, const std::vector<Proposal>& offered) {
  if (answer.size() != 1 || offered.empty()) return std::nullopt;
  const Proposal& a = answer[0];
  const Proposal& mine = offered[0];
  if (a.protocol != mine.protocol || a.spi.size() != 4 || a.number != mine.number) return std::nullopt;
  ChildSuite s;
  s.kind = a.protocol == ProtocolId::Macsec ? ChildKind::Macsec : ChildKind::Esp;
  bool have_encr = false;
  for (const auto& t : a.transforms) {
    if (std::find(mine.transforms.begin(), mine.transforms.end(), t) == mine.transforms.end()) return std::nullopt;
    if (t.type == TransformType::Encr) {
      if (have_encr) return std::nullopt;
      have_encr = true;
      if (s.kind == ChildKind::Macsec) {
        s.macsec = static_cast<MacsecSuite>(t.id);
        s.offset = static_cast<uint8_t>(t.macsec_offset.value_or(0));
        s.confidentiality = t.macsec_confidentiality.value_or(1) != 0;
      } else {
        s.esp_key_bits = t.key_len.value_or(0);
      }
    } else if (t.type == TransformType::Ke && t.id != 0) {
      if (s.group) return std::nullopt;
      s.group = static_cast<DhGroup>(t.id);
    }
  }
  if (!have_encr) return std::nullopt;
  return s;
}

namespace {

std::string transform_name(const Transform& t, ProtocolId proto) {
  switch (t.type) {
    case TransformType::Encr:
      if (proto == ProtocolId::Macsec) {
        switch (t.id) {
          case 1024: return "GCM-AES-128";
          case 1025: return "GCM-AES-256";
          case 1026: return "GCM-AES-XPN-128";
          case 1027: return "GCM-AES-XPN-256";
        }
      }
      if (t.id == kEncrAesGcm16) return "AES_GCM_16_" + std::to_string(t.key_len.value_or(0));
      return "ENCR_" + std::to_string(t.id);
    case TransformType::Prf:
      switch (t.id) {
        case 5: return "PRF_HMAC_SHA2_256";
        case 6: return "PRF_HMAC_SHA2_384";
        case 7: return "PRF_HMAC_SHA2_512";
      }
      return "PRF_" + std::to_string(t.id);
    case TransformType::Integ: return "INTEG_" + std::to_string(t.id);
    case TransformType::Ke:
      switch (t.id) {
        case 19: return "ECP_256";
        case 20: return "ECP_384";
        case 31: return "CURVE_25519";
        case 0: return "KE_NONE";
      }
      return "KE_" + std::to_string(t.id);
    case TransformType::Esn: return t.id ? "ESN" : "NO_ESN";
  }
  std::string name = "T";
  name += std::to_string(static_cast<int>(t.type));
  name += '_';
  name += std::to_string(t.id);
  return name;
}

}  // namespace

std::vector<std::string> describe(const std::vector<Proposal>& proposals) {
  std::vector<std::string> out;
  for (const auto& p : proposals) {
    std::string s = p.protocol == ProtocolId::Ike ? "IKE:" : p.protocol == ProtocolId::Esp ? "ESP:"
                    : p.protocol == ProtocolId::Macsec ? "MACSEC:" : "PROTO" + std::to_string(static_cast<int>(p.protocol)) + ":";
    for (int type = 1; type <= 5; ++type) {
      std::string part;
      for (const auto& t : p.transforms) {
        if (static_cast<int>(t.type) != type) continue;
        if (!part.empty()) part += ",";
        part += transform_name(t, p.protocol);
      }
      if (part.empty()) continue;
      if (s.back() != ':') s += "/";
      s += part;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace linkcrypt::ike
