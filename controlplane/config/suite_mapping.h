// The MACsec cipher suites as IKE negotiates them and as the SecY runs them: one table, both directions.
#pragma once

#include "cipher_suite.h"
#include "ike_session.h"

namespace linkcrypt::config {

[[nodiscard]] secy::CipherSuite to_cipher_suite(ike::MacsecSuite s);
[[nodiscard]] ike::MacsecSuite to_macsec_suite(secy::CipherSuite s);

}  // namespace linkcrypt::config
