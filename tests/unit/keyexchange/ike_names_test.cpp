// The operator-visible names of IKE's enums: one per value, none shared, the spellings docs and scripts match on.
#include "ike_names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace linkcrypt::ike {
namespace {

TEST(IkeNames, EveryFailReasonHasItsOwnName) {
  std::set<std::string_view> seen;
  const auto last = static_cast<unsigned>(FailReason::InternalError);
  for (unsigned v = 0; v <= last; ++v) {
    const auto name = fail_reason_name(static_cast<FailReason>(v));
    EXPECT_FALSE(name.empty()) << v;
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
  }
  EXPECT_EQ(seen.size(), last + 1);
  // docs/architecture-daemon.md's troubleshooting table and the integration tests use these.
  EXPECT_EQ(fail_reason_name(FailReason::AuthenticationFailed), "AuthenticationFailed");
  EXPECT_EQ(fail_reason_name(FailReason::NoProposalChosen), "NoProposalChosen");
  EXPECT_EQ(fail_reason_name(FailReason::PeerUnreachable), "PeerUnreachable");
}

TEST(IkeNames, EverySessionStateHasItsOwnName) {
  std::set<std::string_view> seen;
  const auto last = static_cast<unsigned>(SessionState::Failed);
  for (unsigned v = 0; v <= last; ++v) {
    const auto name = session_state_name(static_cast<SessionState>(v));
    EXPECT_NE(name, "unknown") << v;
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
  }
  EXPECT_EQ(session_state_name(SessionState::Established), "established");
}

TEST(IkeNames, AlgorithmsReadAsStrongSwanPrintsThem) {
  IkeUp up;
  up.encr_key_bits = 256;
  up.prf = Prf::HmacSha2_256;
  up.group = DhGroup::Curve25519;
  EXPECT_EQ(algorithms_name(up), "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519");
  up.encr_key_bits = 128;
  up.prf = Prf::HmacSha2_512;
  up.group = DhGroup::Ecp384;
  EXPECT_EQ(algorithms_name(up), "AES_GCM_16_128/PRF_HMAC_SHA2_512/ECP_384");
  EXPECT_EQ(prf_name(Prf::HmacSha2_384), "PRF_HMAC_SHA2_384");
  EXPECT_EQ(dh_group_name(DhGroup::Ecp256), "ECP_256");
}

}  // namespace
}  // namespace linkcrypt::ike
