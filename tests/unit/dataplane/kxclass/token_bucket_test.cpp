// TokenBucket: burst, steady rate, no credit beyond the burst, a clock that goes backwards.
#include "token_bucket.h"

#include <gtest/gtest.h>

namespace linkcrypt::kxclass {
namespace {

constexpr uint64_t kHz = 1'000'000'000;  // a 1 GHz "TSC"

int take_all(TokenBucket& b, uint64_t now) {
  int n = 0;
  while (b.take(now)) ++n;
  return n;
}

TEST(TokenBucket, BurstThenRate) {
  TokenBucket b(100, 10, kHz, 5);
  EXPECT_EQ(take_all(b, 5), 10);           // the burst
  EXPECT_EQ(take_all(b, 5 + kHz / 100), 1);  // 10 ms at 100/s: one more
  EXPECT_EQ(take_all(b, 5 + kHz / 100 + kHz / 2), 10);  // 0.5 s earns 50 but the burst caps it
}

TEST(TokenBucket, SteadyRateOverASecond) {
  TokenBucket b(1000, 1, kHz, 0);
  int admitted = 0;
  for (uint64_t t = 0; t <= kHz; t += kHz / 100000) admitted += b.take(t) ? 1 : 0;  // 100k offered
  EXPECT_GE(admitted, 1000);
  EXPECT_LE(admitted, 1001);
}

TEST(TokenBucket, LongIdleDoesNotOverflow) {
  TokenBucket b(100000, 100000, 5'000'000'000ULL, 0);
  EXPECT_EQ(take_all(b, 0), 100000);
  EXPECT_EQ(take_all(b, UINT64_MAX / 2), 100000);  // years later: full, not wrapped
}

TEST(TokenBucket, ClockGoingBackwardsEarnsNothing) {
  TokenBucket b(10, 1, kHz, kHz);
  EXPECT_TRUE(b.take(kHz));
  EXPECT_FALSE(b.take(0));
  EXPECT_FALSE(b.take(kHz));           // last seen is now 0: 1 s later earns 10 ...
  EXPECT_TRUE(b.take(kHz + kHz / 10));  // ... capped at the burst of 1
}

TEST(TokenBucket, ZeroRateAdmitsNothing) {
  TokenBucket b(0, 5, kHz, 0);
  EXPECT_FALSE(b.take(0));
  EXPECT_FALSE(b.take(10 * kHz));
  TokenBucket unset;
  EXPECT_FALSE(unset.take(1));
}

}  // namespace
}  // namespace linkcrypt::kxclass
