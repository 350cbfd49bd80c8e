// Failure causes: each has its own name and a hint of its own (only InternalError points at the logs).
#include "failure_hint.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace linkcrypt::keying {
namespace {

std::vector<FailureCause> every_cause() {
  std::vector<FailureCause> all;
  for (unsigned v = 0; v <= static_cast<unsigned>(ike::FailReason::InternalError); ++v)
    all.emplace_back(static_cast<ike::FailReason>(v));
  all.emplace_back(LinkLoss::PeerDead);
  all.emplace_back(LinkLoss::IkeDeleted);
  return all;
}

TEST(FailureHint, EveryCauseHasItsOwnNameAndHint) {
  const std::string_view generic = failure_hint(FailureCause{ike::FailReason::InternalError});
  std::set<std::string_view> names, hints;
  for (const auto& cause : every_cause()) {
    const auto name = failure_name(cause);
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    const auto hint = failure_hint(cause);
    EXPECT_FALSE(hint.empty()) << name;
    if (cause != FailureCause{ike::FailReason::InternalError}) {
      EXPECT_NE(hint, generic) << name << " has no hint of its own";
      EXPECT_TRUE(hints.insert(hint).second) << name << " shares its hint";
    }
  }
}

TEST(FailureHint, NamesAndHintsOperatorsSee) {
  EXPECT_EQ(failure_name(LinkLoss::PeerDead), "PeerDead");
  EXPECT_EQ(failure_name(LinkLoss::IkeDeleted), "IkeDeleted");
  EXPECT_EQ(failure_name(ike::FailReason::PeerIdMismatch), "PeerIdMismatch");
  EXPECT_NE(failure_hint(ike::FailReason::NoProposalChosen).find("suite"), std::string_view::npos);
  EXPECT_NE(failure_hint(LinkLoss::PeerDead).find("liveness"), std::string_view::npos);
}

TEST(FailureHint, OnlyIkeFailuresAreFailures) {
  EXPECT_TRUE(is_ike_failure(ike::FailReason::AuthenticationFailed));
  EXPECT_TRUE(is_ike_failure(ike::FailReason::PeerUnreachable));
  EXPECT_FALSE(is_ike_failure(LinkLoss::PeerDead));
  EXPECT_FALSE(is_ike_failure(LinkLoss::IkeDeleted));
}

}  // namespace
}  // namespace linkcrypt::keying
