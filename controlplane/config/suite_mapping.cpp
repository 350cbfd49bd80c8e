// One row per suite, so the two conversions cannot drift apart.
#include "suite_mapping.h"

#include <array>
#include <utility>

namespace linkcrypt::config {
namespace {

constexpr std::array<std::pair<ike::MacsecSuite, secy::CipherSuite>, 4> kSuites{{
    {ike::MacsecSuite::GcmAes128, secy::CipherSuite::GcmAes128},
    {ike::MacsecSuite::GcmAes256, secy::CipherSuite::GcmAes256},
    {ike::MacsecSuite::GcmAesXpn128, secy::CipherSuite::GcmAesXpn128},
    {ike::MacsecSuite::GcmAesXpn256, secy::CipherSuite::GcmAesXpn256},
}};

}  // namespace

secy::CipherSuite to_cipher_suite(ike::MacsecSuite s) {
  for (const auto& [ike_suite, secy_suite] : kSuites)
    if (ike_suite == s) return secy_suite;
  return secy::CipherSuite::GcmAesXpn256;  // unreachable: every enumerator has a row
}

ike::MacsecSuite to_macsec_suite(secy::CipherSuite s) {
  for (const auto& [ike_suite, secy_suite] : kSuites)
    if (secy_suite == s) return ike_suite;
  return ike::MacsecSuite::GcmAesXpn256;  // unreachable: every enumerator has a row
}

}  // namespace linkcrypt::config
