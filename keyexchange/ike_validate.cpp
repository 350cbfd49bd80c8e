// Meaning checks of parsed IKEv2 payload sets, each citing the RFC 7296 clause it enforces.
#include "ike_validate.h"

#include "ike_crypto.h"

namespace linkcrypt::ike {

const char* to_string(Invalid v) {
  switch (v) {
    case Invalid::Ok: return "ok";
    case Invalid::MissingSa: return "missing SA payload";
    case Invalid::MissingKe: return "missing KE payload";
    case Invalid::MissingNonce: return "missing nonce";
    case Invalid::BadNonceLength: return "nonce length outside 16..256";
    case Invalid::BadKeLength: return "KE length wrong for its group";
    case Invalid::MissingId: return "missing ID payload";
    case Invalid::MissingAuth: return "missing AUTH payload";
    case Invalid::BadSpiSize: return "wrong SPI size";
    case Invalid::BadSci: return "MACSEC_SCI notify is not 8 octets";
  }
  return "?";
}

Invalid validate_nonce(const Payloads& p) {
  if (!p.nonce) return Invalid::MissingNonce;
  // RFC 7296 2.10: at least 16 octets (and half the PRF key size), at most 256.
  if (p.nonce->size() < 16 || p.nonce->size() > 256) return Invalid::BadNonceLength;
  return Invalid::Ok;
}

Invalid validate_ke(const Payloads& p, bool required) {
  if (!p.ke) return required ? Invalid::MissingKe : Invalid::Ok;
  // A group we do not implement is a negotiation matter (INVALID_KE_PAYLOAD), not a syntax one;
  // for ours the public value has a fixed length (RFC 8031 2: 32; RFC 5903 7: 2 x field size).
  if (is_supported_group(p.ke->group) && p.ke->data.size() != ke_public_len(static_cast<DhGroup>(p.ke->group)))
    return Invalid::BadKeLength;
  return Invalid::Ok;
}

Invalid validate_init(const Payloads& p) {
  // RFC 7296 1.2: IKE_SA_INIT carries SAi1/SAr1, KEi/KEr and Ni/Nr.
  if (!p.sa || p.sa->empty()) return Invalid::MissingSa;
  if (auto v = validate_ke(p, true); v != Invalid::Ok) return v;
  return validate_nonce(p);
}

Invalid validate_auth(const Payloads& p, bool from_initiator) {
  // RFC 7296 1.2: IDi/IDr and AUTH are mandatory in IKE_AUTH.
  if (from_initiator ? !p.idi : !p.idr) return Invalid::MissingId;
  if (!p.auth) return Invalid::MissingAuth;
  return validate_sci(p);
}

Invalid validate_create_child_request(const Payloads& p) {
  // RFC 7296 1.3: SA, Ni, [KEi]; 1.3.2: an IKE rekey always has KEi and an 8-octet SPI.
  if (!p.sa || p.sa->empty()) return Invalid::MissingSa;
  if (auto v = validate_nonce(p); v != Invalid::Ok) return v;
  const bool ike = (*p.sa)[0].protocol == ProtocolId::Ike;
  if (auto v = validate_ke(p, ike); v != Invalid::Ok) return v;
  for (const auto& prop : *p.sa)
    if (prop.spi.size() != (prop.protocol == ProtocolId::Ike ? 8u : 4u)) return Invalid::BadSpiSize;
  return validate_sci(p);
}

Invalid validate_sci(const Payloads& p) {
  const NotifyPayload* n = p.find_notify(NotifyType::MacsecSci);
  if (n != nullptr && n->data.size() != 8) return Invalid::BadSci;
  return Invalid::Ok;
}

}  // namespace linkcrypt::ike
