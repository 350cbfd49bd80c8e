// Lock-free publication of immutable tables to worker lcores, reclaimed with rte_rcu_qsbr.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <stdexcept>

namespace linkcrypt::dpdk {

// Owns one QSBR variable. Readers are the worker lcores, numbered 0..max_readers-1.
// Needs no EAL: the memory is cache-line aligned heap, so it is usable (and testable) anywhere.
class RcuDomain {
 public:
  explicit RcuDomain(uint32_t max_readers) : max_readers_(max_readers) {
    const size_t len = rte_rcu_qsbr_get_memsize(max_readers);
    const size_t rounded = (len + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE * RTE_CACHE_LINE_SIZE;
    mem_ = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, rounded));
    if (mem_ == nullptr || rte_rcu_qsbr_init(mem_, max_readers) != 0) {
      std::free(mem_);
      throw std::runtime_error("cannot initialise the RCU (QSBR) variable");
    }
  }
  ~RcuDomain() { std::free(mem_); }
  RcuDomain(const RcuDomain&) = delete;
  RcuDomain& operator=(const RcuDomain&) = delete;

  // Reader side (worker lcores). register+online before the first load, quiescent once per
  // loop iteration (after the burst is done with every table pointer), offline before exit.
  void reader_online(uint32_t id) {
    (void)rte_rcu_qsbr_thread_register(mem_, id);
    rte_rcu_qsbr_thread_online(mem_, id);
  }
  void reader_quiescent(uint32_t id) { rte_rcu_qsbr_quiescent(mem_, id); }
  void reader_offline(uint32_t id) {
    rte_rcu_qsbr_thread_offline(mem_, id);
    (void)rte_rcu_qsbr_thread_unregister(mem_, id);
  }

  // Writer side (main lcore).
  [[nodiscard]] uint64_t start_grace_period() { return rte_rcu_qsbr_start(mem_); }
  [[nodiscard]] bool grace_period_over(uint64_t token) { return rte_rcu_qsbr_check(mem_, token, false) == 1; }
  void wait_grace_period() { rte_rcu_qsbr_synchronize(mem_, RTE_QSBR_THRID_INVALID); }
  [[nodiscard]] uint32_t max_readers() const { return max_readers_; }

 private:
  rte_rcu_qsbr* mem_ = nullptr;
  uint32_t max_readers_;
};

// One immutable T visible to readers through an atomic pointer. publish() swaps in a new
// object and never blocks; the old one is freed by reclaim() once every reader has reported a
// quiescent state since the swap (so no worker can still hold it).
template <typename T>
class Published {
 public:
  Published(RcuDomain& rcu, std::unique_ptr<const T> initial)
      : rcu_(rcu), current_(initial.release()) {}
  ~Published() {
    // Owner guarantees the readers have stopped (workers joined) before destruction.
    delete current_.load(std::memory_order_relaxed);
  }
  Published(const Published&) = delete;
  Published& operator=(const Published&) = delete;

  // Reader: valid until the reader's next quiescent report.
  [[nodiscard]] const T* load() const noexcept { return current_.load(std::memory_order_acquire); }

  // Writer (single writer: the main lcore).
  void publish(std::unique_ptr<const T> next) {
    const T* old = current_.exchange(next.release(), std::memory_order_acq_rel);
    if (old != nullptr) retired_.push_back({std::unique_ptr<const T>(old), rcu_.start_grace_period()});
  }
  // Frees every retired object whose grace period is over; returns how many are still pending.
  size_t reclaim() {
    while (!retired_.empty() && rcu_.grace_period_over(retired_.front().token)) retired_.pop_front();
    return retired_.size();
  }
  // Blocks until every retired object can be (and is) freed. Control plane / tests only.
  void reclaim_all() {
    if (retired_.empty()) return;
    rcu_.wait_grace_period();
    retired_.clear();
  }
  [[nodiscard]] size_t pending() const { return retired_.size(); }

 private:
  struct Retired {
    std::unique_ptr<const T> object;
    uint64_t token;
  };
  RcuDomain& rcu_;
  std::atomic<const T*> current_;
  std::deque<Retired> retired_;
};

}  // namespace linkcrypt::dpdk
