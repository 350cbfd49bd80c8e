// SnapshotExchange: a request is answered by the next publish, or by the previous snapshot on timeout.
#include "snapshot_exchange.h"

#include <gtest/gtest.h>

#include <thread>

namespace linkcrypt::metrics {
namespace {

using namespace std::chrono_literals;

TEST(SnapshotExchange, RequestWaitsForTheLoopToPublish) {
  SnapshotExchange ex;
  EXPECT_FALSE(ex.wanted());
  std::thread loop([&] {
    // The event loop: ticks until a scrape wants a snapshot, then publishes one.
    while (!ex.wanted()) std::this_thread::sleep_for(1ms);
    MetricsSnapshot s;
    s.taken_unix = 42;
    ex.publish(std::move(s));
  });
  const auto got = ex.request(60s);  // generous: only the published snapshot ends the wait
  loop.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->taken_unix, 42);
  EXPECT_FALSE(ex.wanted());
}

TEST(SnapshotExchange, TimeoutAnswersWithThePreviousSnapshot) {
  SnapshotExchange ex;
  EXPECT_EQ(ex.request(1ms), nullptr);  // nothing published yet, nobody answers
  MetricsSnapshot s;
  s.taken_unix = 7;
  ex.publish(std::move(s));
  const auto got = ex.request(1ms);  // the loop does not answer this one
  ASSERT_TRUE(got);
  EXPECT_EQ(got->taken_unix, 7);
  EXPECT_TRUE(ex.wanted());
}

TEST(SnapshotExchange, CloseReleasesAWaitingRequest) {
  SnapshotExchange ex;
  std::thread closer([&] {
    while (!ex.wanted()) std::this_thread::sleep_for(1ms);
    ex.close();
  });
  EXPECT_EQ(ex.request(60s), nullptr);  // returns on close, long before 60 s
  closer.join();
  EXPECT_EQ(ex.request(60s), nullptr);  // closed: at once
}

}  // namespace
}  // namespace linkcrypt::metrics
