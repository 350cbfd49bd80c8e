// validate_* : the meaning checks after parsing (which payloads an exchange needs, lengths a group implies).
#pragma once

#include <cstdint>

#include "ike_codec.h"

namespace linkcrypt::ike {

enum class Invalid : uint8_t {
  Ok,
  MissingSa,       // RFC 7296 1.2 / 1.3: the exchange carries an SA payload
  MissingKe,       // IKE_SA_INIT and IKE rekey carry KE (1.2, 1.3.2)
  MissingNonce,    // Ni/Nr (1.2, 1.3)
  BadNonceLength,  // 16..256 octets (2.10)
  BadKeLength,     // KE data length fixed by its group (RFC 8031 2, RFC 5903 7)
  MissingId,       // IDi/IDr (1.2)
  MissingAuth,     // AUTH (1.2)
  BadSpiSize,      // IKE SPI 8, child SPI 4 octets (3.3.1)
  BadSci,          // MACSEC_SCI notify carries exactly 8 octets (docs/protocol.md)
};
const char* to_string(Invalid v);

[[nodiscard]] Invalid validate_nonce(const Payloads& p);
[[nodiscard]] Invalid validate_ke(const Payloads& p, bool required);
// IKE_SA_INIT request or response: SA, KE, nonce.
[[nodiscard]] Invalid validate_init(const Payloads& p);
// IKE_AUTH: the sender's ID and AUTH (the child's SA/TS are judged by proposal selection).
[[nodiscard]] Invalid validate_auth(const Payloads& p, bool from_initiator);
// CREATE_CHILD_SA request: SA, Ni, optional KE; an IKE rekey also needs KE and an 8-octet SPI,
// a child rekey 4-octet SPIs.
[[nodiscard]] Invalid validate_create_child_request(const Payloads& p);
[[nodiscard]] Invalid validate_sci(const Payloads& p);

}  // namespace linkcrypt::ike
