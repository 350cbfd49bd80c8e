// Secure associations and channels: TxSa, RxSa, RxSc and the RxTable a worker validates against.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "cipher_suite.h"
#include "counters.h"
#include "replay_bitmap.h"
#include "sa_key.h"

namespace linkcrypt::secy {

// XPN parameters (14.7): the Short SCI and the 96-bit salt.
struct XpnParams {
  uint32_t ssci = 0;
  std::array<uint8_t, kSaltLen> salt{};
};

struct TxSaParams {
  CipherSuite suite = CipherSuite::GcmAesXpn256;
  uint8_t an = 0;
  Sci sci = 0;
  uint64_t next_pn = 1;               // first PN to send (>= 1, 10.5.2)
  uint64_t rekey_threshold = 0;       // 0: default_rekey_threshold(suite)
  // The highest PN the control plane has durably reserved (docs/keyfile.md "PN reservation");
  // 0: no reservation, the whole PN space may be used (IKE keys are fresh on every start).
  uint64_t reserved_through = 0;
  XpnParams xpn;                      // used only by XPN suites
};

// A transmit SA. Shared by every lcore that transmits on the SC: PNs are reserved a burst at a
// time with one atomic compare-exchange on next_pn_, so a (key, PN) pair is never used twice.
class TxSa {
 public:
  // Throws std::invalid_argument on bad parameters (control path only).
  TxSa(const TxSaParams& p, std::span<const uint8_t> sak);

  [[nodiscard]] CipherSuite suite() const { return suite_; }
  [[nodiscard]] uint8_t an() const { return an_; }
  [[nodiscard]] Sci sci() const { return sci_; }
  [[nodiscard]] const SaKey& key() const { return key_; }
  [[nodiscard]] const XpnParams& xpn() const { return xpn_; }
  [[nodiscard]] uint64_t rekey_threshold() const { return rekey_threshold_; }

  // The next PN that would be sent (max_pn + 1 when exhausted; for XPN that reads as 0).
  [[nodiscard]] uint64_t next_pn() const { return next_pn_.load(std::memory_order_relaxed); }
  // Set once a frame with PN >= rekey_threshold was protected; the control plane polls it.
  [[nodiscard]] bool threshold_reached() const {
    return threshold_reached_.load(std::memory_order_relaxed);
  }
  // Set once the SA refused a frame because its PN space is used up (10.5.2: never wraps).
  [[nodiscard]] bool exhausted() const { return exhausted_.load(std::memory_order_relaxed); }
  // True when no PN is left below the end of the PN space: a shortfall in reserve_pns was
  // exhaustion. Otherwise it was the reservation (next_pn_ only grows, so this cannot race).
  [[nodiscard]] bool pn_space_used_up() const {
    const uint64_t cur = next_pn_.load(std::memory_order_relaxed);
    return cur == 0 || cur > max_pn(suite_);
  }
  // The highest PN reserve_pns may grant (max_pn(suite) when nothing is reserved).
  [[nodiscard]] uint64_t reserved_through() const { return pn_limit_.load(std::memory_order_relaxed); }
  // Control plane, after the new mark is on disk: lets the workers go up to `through`.
  // Never lowers the limit; never raises it past the PN space.
  void extend_reservation(uint64_t through);

  // Reserves up to n consecutive PNs; returns how many were granted (0 once exhausted, or once
  // the durable reservation is used up) and the first in `first`. Fast path: one
  // compare-exchange, no lock, no system call.
  [[nodiscard]] uint32_t reserve_pns(uint32_t n, uint64_t& first);
  // Marks the threshold reached; returns true only for the caller that set it first.
  bool mark_threshold_reached() { return !threshold_reached_.exchange(true, std::memory_order_relaxed); }
  void mark_exhausted() { exhausted_.store(true, std::memory_order_relaxed); }

  [[nodiscard]] TxSaCounters& counters(uint32_t lcore_slot) { return counters_[lcore_slot]; }
  [[nodiscard]] TxSaCounters counters_sum() const;

 private:
  // Everything a burst reads sits in the first cache line; the key schedule follows.
  // next_pn_ == 0 means "past UINT64_MAX" for XPN; see reserve_pns().
  alignas(64) std::atomic<uint64_t> next_pn_;
  std::atomic<uint64_t> pn_limit_;  // highest PN granted: reserved_through, or max_pn(suite_)
  uint64_t rekey_threshold_;
  Sci sci_;
  XpnParams xpn_;
  CipherSuite suite_;
  uint8_t an_;
  std::atomic<bool> threshold_reached_{false};
  std::atomic<bool> exhausted_{false};
  SaKey key_;
  std::array<TxSaCounters, kMaxLcores> counters_{};
};

struct RxSaParams {
  CipherSuite suite = CipherSuite::GcmAesXpn256;
  uint8_t an = 0;
  uint64_t lowest_pn = 1;             // 10.7.22 lowestPN as set by the KaY (initial next PN)
  XpnParams xpn;
};

// A receive SA. Its replay state (nextPN, lowestPN of 10.6.2/10.6.5) is atomic so several
// lcores may validate frames of the same SA without locks.
class RxSa {
 public:
  RxSa(const RxSaParams& p, std::span<const uint8_t> sak);

  [[nodiscard]] CipherSuite suite() const { return suite_; }
  [[nodiscard]] uint8_t an() const { return an_; }
  [[nodiscard]] const SaKey& key() const { return key_; }
  [[nodiscard]] const XpnParams& xpn() const { return xpn_; }

  // 10.6.5: nextPN is one more than the highest PN validated so far (or the initial lowest PN).
  [[nodiscard]] uint64_t next_pn() const { return next_pn_.load(std::memory_order_relaxed); }
  // 10.6.2: lowestPN = max(KaY's lowest PN, nextPN - replayWindow). Inline: runs per frame.
  [[nodiscard]] uint64_t lowest_pn(uint32_t replay_window) const {
    return lowest_pn_with(0, replay_window);
  }
  // lowestPN as if nextPN were max(next_pn(), pending_next): validate_burst keeps a burst's
  // nextPN advance local and publishes it with one atomic operation (raise_next_pn).
  [[nodiscard]] uint64_t lowest_pn_with(uint64_t pending_next, uint32_t replay_window) const {
    const uint64_t next = next_pn_.load(std::memory_order_relaxed);
    return lowest_from(pending_next > next ? pending_next : next,
                       kay_lowest_pn_.load(std::memory_order_relaxed), replay_window);
  }
  // The lowest PN set by the KaY (10.7.22), without the window.
  [[nodiscard]] uint64_t kay_lowest_pn() const {
    return kay_lowest_pn_.load(std::memory_order_relaxed);
  }
  // lowestPN from a nextPN and the KaY's floor (10.6.2).
  [[nodiscard]] static constexpr uint64_t lowest_from(uint64_t next, uint64_t floor,
                                                      uint32_t replay_window) {
    const uint64_t by_window = next > replay_window ? next - replay_window : 1;
    return by_window > floor ? by_window : floor;
  }
  // 10.6.5: nextPN = max(nextPN, next), lock-free.
  void raise_next_pn(uint64_t next) {
    uint64_t cur = next_pn_.load(std::memory_order_relaxed);
    while (next > cur && !next_pn_.compare_exchange_weak(cur, next, std::memory_order_relaxed)) {
    }
  }
  // The nextPN after validating `pn` (10.6.5): pn + 1, except that PN 2^64-1, the last PN an
  // XPN SA can carry, leaves nextPN at the maximum instead of wrapping.
  [[nodiscard]] static constexpr uint64_t next_after(uint64_t pn) {
    return pn == UINT64_MAX ? UINT64_MAX : pn + 1;
  }
  // Raises nextPN past pn (after the ICV verified, 10.6.5).
  void on_validated(uint64_t pn) { raise_next_pn(next_after(pn)); }
  // The KaY may raise the lowest acceptable PN (10.7.22 updtLowestPN); never lowers it.
  void set_lowest_pn(uint64_t pn);

  [[nodiscard]] RxSaCounters& counters(uint32_t lcore_slot) const { return counters_[lcore_slot]; }
  [[nodiscard]] RxSaCounters counters_sum() const;
  // The PNs delivered inside the replay window (--replay-check strict); kept by validate_burst
  // only when that is on.
  [[nodiscard]] ReplayBitmap& replay_bitmap() const { return replay_bitmap_; }

 private:
  // The per-frame fields share the first cache line; the key schedule follows.
  alignas(64) std::atomic<uint64_t> next_pn_;
  std::atomic<uint64_t> kay_lowest_pn_;
  XpnParams xpn_;
  CipherSuite suite_;
  uint8_t an_;
  SaKey key_;
  mutable std::array<RxSaCounters, kMaxLcores> counters_{};
  mutable ReplayBitmap replay_bitmap_;
};

// A receive SC: up to four SAs, one per AN (10.6.1).
class RxSc {
 public:
  explicit RxSc(Sci sci) : sci_(sci) {}

  [[nodiscard]] Sci sci() const { return sci_; }
  [[nodiscard]] RxSa* sa(uint8_t an) const { return sas_[an & 3].get(); }
  // Shared so that successive published tables hold the SAME receive SA: its replay state
  // (10.6.5 nextPN) and counters are never copied, so no table swap can reopen a replay window.
  [[nodiscard]] std::shared_ptr<RxSa> shared_sa(uint8_t an) const { return sas_[an & 3]; }
  // Installs (or replaces) the SA for p.an. Control path: do it before publishing the table.
  RxSa& install_sa(std::shared_ptr<RxSa> sa);
  void remove_sa(uint8_t an) { sas_[an & 3].reset(); }

  [[nodiscard]] RxScCounters& counters(uint32_t lcore_slot) const { return counters_[lcore_slot]; }
  // SC-only counters summed over lcores, with sa_sum filled from the installed SAs.
  [[nodiscard]] RxScCounters counters_sum() const;

 private:
  Sci sci_;
  std::array<std::shared_ptr<RxSa>, 4> sas_;
  mutable std::array<RxScCounters, kMaxLcores> counters_{};
};

// The receive side of a SecY: its RxSCs by SCI. Built by the control plane, then published
// read-only to the workers (RCU); only counters and replay state change underneath.
class RxTable {
 public:
  static constexpr size_t kMaxSc = 16;

  // Throws std::length_error past kMaxSc, std::invalid_argument on a duplicate SCI.
  RxSc& add_sc(Sci sci);
  [[nodiscard]] RxSc* find(Sci sci) const {
    for (uint32_t i = 0; i < count_; ++i) {
      if (scis_[i] == sci) return scs_[i].get();
    }
    return nullptr;
  }
  // With SC=0 and ES=0 (9.9) the SCI is implied: valid only when exactly one RxSC exists.
  [[nodiscard]] RxSc* only_sc() const { return count_ == 1 ? scs_[0].get() : nullptr; }
  [[nodiscard]] uint32_t size() const { return count_; }
  [[nodiscard]] RxSc& at(uint32_t i) const { return *scs_[i]; }

 private:
  std::array<Sci, kMaxSc> scis_{};
  std::array<std::unique_ptr<RxSc>, kMaxSc> scs_;
  uint32_t count_ = 0;
};

}  // namespace linkcrypt::secy
