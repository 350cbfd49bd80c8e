// Published<T> over rte_rcu_qsbr: an old table is freed only after every online reader reported quiescence.
#include "rcu.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace linkcrypt::dpdk {
namespace {

// Counts live instances, so a test can see exactly when a retired object is freed.
struct Table {
  explicit Table(int v, int* live) : value(v), live_(live) { ++*live_; }
  ~Table() { --*live_; }
  int value;
  int* live_;
};

TEST(Rcu, PublishSwapsThePointerAtOnce) {
  int live = 0;
  RcuDomain rcu(2);
  Published<Table> p(rcu, std::make_unique<Table>(1, &live));
  EXPECT_EQ(p.load()->value, 1);
  p.publish(std::make_unique<Table>(2, &live));
  EXPECT_EQ(p.load()->value, 2);
  EXPECT_EQ(p.reclaim(), 0u);  // no reader online: the grace period is already over
  EXPECT_EQ(live, 1);
}

TEST(Rcu, OldTableLivesUntilEveryOnlineReaderIsQuiescent) {
  int live = 0;
  RcuDomain rcu(2);
  Published<Table> p(rcu, std::make_unique<Table>(1, &live));
  rcu.reader_online(0);
  rcu.reader_online(1);
  const Table* held0 = p.load();  // both readers are inside a burst holding table 1
  const Table* held1 = p.load();
  p.publish(std::make_unique<Table>(2, &live));
  EXPECT_EQ(p.reclaim(), 1u);
  EXPECT_EQ(live, 2);
  EXPECT_EQ(held0->value, 1);  // still valid: not freed

  rcu.reader_quiescent(0);
  EXPECT_EQ(p.reclaim(), 1u);  // reader 1 may still hold it
  EXPECT_EQ(held1->value, 1);
  rcu.reader_quiescent(1);
  EXPECT_EQ(p.reclaim(), 0u);
  EXPECT_EQ(live, 1);
  EXPECT_EQ(p.load()->value, 2);
  rcu.reader_offline(0);
  rcu.reader_offline(1);
}

TEST(Rcu, OfflineReadersDoNotHoldTheGracePeriod) {
  int live = 0;
  RcuDomain rcu(2);
  Published<Table> p(rcu, std::make_unique<Table>(1, &live));
  rcu.reader_online(0);
  rcu.reader_offline(0);
  p.publish(std::make_unique<Table>(2, &live));
  EXPECT_EQ(p.reclaim(), 0u);
  EXPECT_EQ(live, 1);
}

TEST(Rcu, SeveralRetiredTablesAreFreedInOrder) {
  int live = 0;
  RcuDomain rcu(1);
  Published<Table> p(rcu, std::make_unique<Table>(1, &live));
  rcu.reader_online(0);
  p.publish(std::make_unique<Table>(2, &live));
  rcu.reader_quiescent(0);  // covers the first swap only
  p.publish(std::make_unique<Table>(3, &live));
  EXPECT_EQ(p.reclaim(), 1u);
  EXPECT_EQ(live, 2);
  rcu.reader_quiescent(0);
  EXPECT_EQ(p.reclaim(), 0u);
  EXPECT_EQ(live, 1);
  rcu.reader_offline(0);
}

// Real threads: readers spin loading and checking the table while the writer publishes and
// reclaims; a freed table would be caught by its poisoned value (and by ASan in the fuzz build).
TEST(Rcu, ConcurrentReadersNeverSeeAFreedTable) {
  struct Checked {
    explicit Checked(uint64_t v) : value(v), check(~v) {}
    ~Checked() {
      value = 0xDEAD;
      check = 0xDEAD;
    }
    volatile uint64_t value;
    volatile uint64_t check;
  };
  constexpr int kReaders = 2;
  RcuDomain rcu(kReaders);
  Published<Checked> p(rcu, std::make_unique<Checked>(0));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad{0};
  std::atomic<int> online{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      rcu.reader_online(static_cast<uint32_t>(r));
      ++online;
      while (!stop.load(std::memory_order_relaxed)) {
        const Checked* t = p.load();
        for (int i = 0; i < 64; ++i) {
          if (t->value != ~t->check) ++bad;
        }
        rcu.reader_quiescent(static_cast<uint32_t>(r));
      }
      rcu.reader_offline(static_cast<uint32_t>(r));
    });
  }
  while (online.load() < kReaders) std::this_thread::yield();
  for (uint64_t v = 1; v <= 2000; ++v) {
    p.publish(std::make_unique<Checked>(v));
    if (v % 16 == 0) p.reclaim_all();
    else (void)p.reclaim();
  }
  stop = true;
  for (auto& t : readers) t.join();
  p.reclaim_all();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(p.pending(), 0u);
  EXPECT_EQ(p.load()->value, 2000u);
}

}  // namespace
}  // namespace linkcrypt::dpdk
