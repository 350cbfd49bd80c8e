// Memory for key material: mlock'ed, excluded from core dumps and from forked children.
#pragma once

#include <cstddef>

namespace linkcrypt {

// Returns `len` zeroed octets (aligned to 64) in pages that are mlock'ed (never swapped),
// MADV_DONTDUMP (never in a core file) and MADV_WIPEONFORK (a forked child sees zeros).
// For the control path only: a mutex guards the arena. Aborts when out of memory.
[[nodiscard]] void* secure_alloc(size_t len);
// Wipes the octets with OPENSSL_cleanse, then returns them to the arena. `len` as allocated.
void secure_free(void* p, size_t len);

struct SecureMemoryStats {
  size_t mapped_len = 0;     // octets of arena pages
  size_t in_use_len = 0;     // octets handed out (in 64-octet granules)
  bool all_locked = true;    // false once an mlock failed (RLIMIT_MEMLOCK): pages may swap
};
[[nodiscard]] SecureMemoryStats secure_memory_stats();

}  // namespace linkcrypt
