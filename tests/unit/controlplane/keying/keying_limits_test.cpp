// Issue 15 §4: the longest rotation intervals linkcryptd accepts (rekey-interval-s and
// ike-rekey-interval-s = 315360000, ten years) neither overflow nor trigger a rekey storm.
#include "keying_controller.h"

#include <gtest/gtest.h>

#include "keying_harness.h"

namespace linkcrypt::keying::testing {
namespace {

using std::chrono::milliseconds;

TEST(KeyingLimits, TenYearIntervalsDoNotRotate) {
  constexpr int64_t kTenYearsS = 315360000;  // option_ranges.h kRekeyIntervalSRange.max
  PairOptions o;
  // What reload.cpp's keying_policy computes from the options: seconds * 1000 in milliseconds.
  o.policy.rekey_interval = Millis(kTenYearsS * 1000);
  o.policy.ike_rekey_interval = Millis(kTenYearsS * 1000);
  ASSERT_GT(o.policy.rekey_interval.count(), 0);  // no wrap into the past
  Pair p(o);
  p.run(milliseconds(100), 200, 10);  // 20 s: a storm showed 432 rotations in 10 s
  ASSERT_EQ(p.a.ctl->state(), LinkState::Secured);
  EXPECT_EQ(p.a.ctl->rotations().total(), 0u);
  EXPECT_EQ(p.b.ctl->rotations().total(), 0u);
  EXPECT_EQ(p.a.ctl->peer().ike_rekeys, 0u);
}

}  // namespace
}  // namespace linkcrypt::keying::testing
