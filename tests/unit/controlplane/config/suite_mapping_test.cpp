// The IKE and SecY names of each MACsec suite map onto each other both ways.
#include "suite_mapping.h"

#include <gtest/gtest.h>

namespace linkcrypt::config {
namespace {

TEST(SuiteMapping, EverySuiteRoundTripsAndKeepsItsKeyLengthAndXpn) {
  struct Row {
    ike::MacsecSuite ike;
    secy::CipherSuite secy;
  };
  const Row rows[] = {{ike::MacsecSuite::GcmAes128, secy::CipherSuite::GcmAes128},
                      {ike::MacsecSuite::GcmAes256, secy::CipherSuite::GcmAes256},
                      {ike::MacsecSuite::GcmAesXpn128, secy::CipherSuite::GcmAesXpn128},
                      {ike::MacsecSuite::GcmAesXpn256, secy::CipherSuite::GcmAesXpn256}};
  for (const auto& r : rows) {
    EXPECT_EQ(to_cipher_suite(r.ike), r.secy);
    EXPECT_EQ(to_macsec_suite(r.secy), r.ike);
    EXPECT_EQ(to_macsec_suite(to_cipher_suite(r.ike)), r.ike);
  }
}

}  // namespace
}  // namespace linkcrypt::config
