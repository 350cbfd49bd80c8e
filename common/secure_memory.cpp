// secure_alloc/secure_free: a small first-fit arena of 64-octet granules in locked, undumpable pages.
#include "secure_memory.h"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <bitset>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace linkcrypt {
namespace {

constexpr size_t kGranule = 64;
constexpr size_t kRegionLen = 64 * 1024;  // SecretBytes::kMaxLen fits in one region
constexpr size_t kGranules = kRegionLen / kGranule;

struct Region {
  uint8_t* base = nullptr;
  std::bitset<kGranules> used;
};

struct Arena {
  std::mutex mu;
  std::vector<Region> regions;  // never unmapped: a few pages for the daemon's lifetime
  SecureMemoryStats stats;

  Region& grow() {
    void* p = ::mmap(nullptr, kRegionLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    // Each protection is best-effort: an unprivileged test lacks RLIMIT_MEMLOCK, an old kernel
    // MADV_WIPEONFORK. The daemon reports all_locked at start-up.
    if (::mlock(p, kRegionLen) != 0) stats.all_locked = false;
    (void)::madvise(p, kRegionLen, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
    (void)::madvise(p, kRegionLen, MADV_WIPEONFORK);
#endif
    stats.mapped_len += kRegionLen;
    regions.push_back({static_cast<uint8_t*>(p), {}});
    return regions.back();
  }
};

Arena& arena() {
  static Arena* a = new Arena();  // never destroyed: secrets may die during static destruction
  return *a;
}

// First run of n free granules in r, or kGranules.
size_t find_run(const Region& r, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < kGranules; ++i) {
    run = r.used[i] ? 0 : run + 1;
    if (run == n) return i + 1 - n;
  }
  return kGranules;
}

}  // namespace

void* secure_alloc(size_t len) {
  if (len == 0) len = 1;
  if (len > kRegionLen) std::abort();  // no key comes near 64 KiB
  const size_t n = (len + kGranule - 1) / kGranule;
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (Region& r : a.regions) {
      const size_t at = find_run(r, n);
      if (at == kGranules) continue;
      for (size_t i = at; i < at + n; ++i) r.used.set(i);
      a.stats.in_use_len += n * kGranule;
      uint8_t* p = r.base + at * kGranule;
      OPENSSL_cleanse(p, n * kGranule);
      return p;
    }
    a.grow();
  }
  std::abort();
}

void secure_free(void* p, size_t len) {
  if (!p) return;
  if (len == 0) len = 1;
  const size_t n = (len + kGranule - 1) / kGranule;
  OPENSSL_cleanse(p, n * kGranule);
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  auto* b = static_cast<uint8_t*>(p);
  for (Region& r : a.regions) {
    if (b < r.base || b >= r.base + kRegionLen) continue;
    const size_t at = static_cast<size_t>(b - r.base) / kGranule;
    for (size_t i = at; i < at + n && i < kGranules; ++i) r.used.reset(i);
    a.stats.in_use_len -= n * kGranule;
    return;
  }
  std::abort();  // not ours: a programming error
}

SecureMemoryStats secure_memory_stats() {
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  return a.stats;
}

}  // namespace linkcrypt
