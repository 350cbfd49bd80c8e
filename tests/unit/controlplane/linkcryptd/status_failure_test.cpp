// `status` says why a link is not secured with the typed failure's name and hint, and nothing once it is.
#include "status_failure.h"

#include <gtest/gtest.h>

#include "failure_hint.h"

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;

TEST(StatusFailure, NotSecuredCarriesTheLastFailureWithItsHint) {
  const auto now = Clock::now();
  keying::PeerStatus peer;
  peer.last_failure = keying::Failure{ike::FailReason::AuthenticationFailed, "AUTH did not verify", true,
                                      now - std::chrono::seconds(12), std::nullopt};
  api::StatusResult s;
  fill_failure(s, keying::LinkState::Failed, peer, now);
  EXPECT_EQ(s.failure, "AuthenticationFailed");
  EXPECT_EQ(s.failure_hint, std::string(keying::failure_hint(ike::FailReason::AuthenticationFailed)));
  EXPECT_EQ(s.failure_s_ago, 12u);

  api::StatusResult keying;
  peer.last_failure->cause = keying::LinkLoss::PeerDead;
  fill_failure(keying, keying::LinkState::Keying, peer, now);
  EXPECT_EQ(keying.failure, "PeerDead");
  EXPECT_EQ(keying.failure_hint, std::string(keying::failure_hint(keying::LinkLoss::PeerDead)));
}

TEST(StatusFailure, ASecuredLinkOrNoFailureCarriesNone) {
  const auto now = Clock::now();
  keying::PeerStatus peer;
  api::StatusResult down;
  fill_failure(down, keying::LinkState::Down, peer, now);
  EXPECT_FALSE(down.failure);
  peer.last_failure = keying::Failure{keying::LinkLoss::PeerDead, "", false, now, std::nullopt};
  api::StatusResult secured;
  fill_failure(secured, keying::LinkState::Secured, peer, now);
  EXPECT_FALSE(secured.failure);
  EXPECT_FALSE(secured.failure_hint);
  EXPECT_FALSE(secured.failure_s_ago);
  // A failure resolved since (the link came up after it) is history, not why the link is down now.
  peer.last_failure->resolved_at = now;
  api::StatusResult keying;
  fill_failure(keying, keying::LinkState::Keying, peer, now);
  EXPECT_FALSE(keying.failure);
}

}  // namespace
}  // namespace linkcrypt::daemon
