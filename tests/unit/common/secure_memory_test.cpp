// The secure arena: secrets live in its pages, those pages are locked and undumpable, freeing wipes; process hardening.
#include "process_hardening.h"
#include "secret.h"
#include "secure_memory.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace linkcrypt {
namespace {

// The VmFlags of the /proc/self/smaps mapping that contains p.
std::string vm_flags_of(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find('-') < 17) {
      inside = addr >= lo && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8);
    }
  }
  return "";
}
bool has_flag(const std::string& flags, const char* f) {
  std::istringstream s(flags);
  std::string w;
  while (s >> w) {
    if (w == f) return true;
  }
  return false;
}

TEST(SecureMemory, SecretsLiveInUndumpablePagesAndLockedWhenAllowed) {
  const std::array<uint8_t, 16> k{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  Secret<16> fixed{std::span<const uint8_t, 16>(k)};
  SecretBytes var{std::span<const uint8_t>(k)};
  for (const void* p : {static_cast<const void*>(fixed.view().data()), static_cast<const void*>(var.view().data())}) {
    const std::string flags = vm_flags_of(p);
    ASSERT_FALSE(flags.empty());
    EXPECT_TRUE(has_flag(flags, "dd")) << flags;  // MADV_DONTDUMP
    // mlock needs RLIMIT_MEMLOCK room: root always has it; the arena reports when it had not.
    if (secure_memory_stats().all_locked) {
      EXPECT_TRUE(has_flag(flags, "lo")) << flags;
    }
  }
  if (::geteuid() == 0) {
    EXPECT_TRUE(secure_memory_stats().all_locked);
  }
  // The holder object is not where the octets are (no inline copy on the stack).
  EXPECT_NE(static_cast<const void*>(fixed.view().data()), static_cast<const void*>(&fixed));
}

TEST(SecureMemory, FreeingWipesAndReuses) {
  auto* p = static_cast<uint8_t*>(secure_alloc(100));
  std::memset(p, 0xA5, 100);
  const size_t before = secure_memory_stats().in_use_len;
  secure_free(p, 100);
  EXPECT_EQ(secure_memory_stats().in_use_len, before - 128);  // two 64-octet granules
  // The arena's pages stay mapped: the octets are readable, and zero.
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(p[i], 0) << i;
  auto* q = static_cast<uint8_t*>(secure_alloc(128));  // the freed granules are found again
  EXPECT_LE(q, p);  // first fit: at p, or in an earlier hole
  secure_free(q, 128);
}

TEST(SecureMemory, ManyAllocationsGrowTheArenaAndStayDistinct) {
  std::set<void*> seen;
  std::vector<void*> all;
  for (int i = 0; i < 3000; ++i) {  // 3000 x 64 octets: more than one 64 KiB region
    void* p = secure_alloc(40);
    EXPECT_TRUE(seen.insert(p).second);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    all.push_back(p);
  }
  EXPECT_GE(secure_memory_stats().mapped_len, 3000u * 64);
  for (void* p : all) secure_free(p, 40);
  void* big = secure_alloc(SecretBytes::kMaxLen);  // the largest secret fits
  secure_free(big, SecretBytes::kMaxLen);
}

TEST(SecretBytes, ShareIsOneCopyCloneIsTwo) {
  const std::array<uint8_t, 3> k{9, 8, 7};
  SecretBytes a{std::span<const uint8_t>(k)};
  SecretBytes shared = a.share();
  EXPECT_EQ(shared.view().data(), a.view().data());
  SecretBytes copy = a.clone();
  EXPECT_NE(copy.view().data(), a.view().data());
  const uint8_t* where = a.view().data();
  a = SecretBytes();  // the shared handle keeps the octets
  EXPECT_EQ(shared.view().data(), where);
  EXPECT_EQ(shared.view()[0], 9);
  shared = SecretBytes();  // last handle: wiped
  EXPECT_EQ(where[0], 0);
}

TEST(SecretBytesDeathTest, WritingASharedSecretAborts) {
  const std::array<uint8_t, 2> k{1, 2};
  SecretBytes a{std::span<const uint8_t>(k)};
  SecretBytes b = a.share();
  EXPECT_DEATH((void)a.mut(), "");
}

TEST(ProcessHardening, NoCoreNotDumpable) {
  EXPECT_EQ(harden_process_for_secrets().find("RLIMIT_CORE"), std::string::npos);
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE), 0);
  rlimit r{};
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &r), 0);
  EXPECT_EQ(r.rlim_cur, 0u);
  EXPECT_EQ(r.rlim_max, 0u);
  EXPECT_EQ(CRYPTO_secure_malloc_initialized(), 1);
}

}  // namespace
}  // namespace linkcrypt
