// Fuzz target: the MKA keychain file parser must refuse any malformed text without crashing.
#include "keychain_file.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  linkcrypt::mka::KeychainFile file;
  const auto r = linkcrypt::mka::parse_keychain(std::span<const uint8_t>(data, size), file);
  if (r.ok()) {
    // Invariants every accepted file holds (docs/mka.md).
    size_t fallbacks = 0;
    if (file.keys.empty() || file.keys.size() > linkcrypt::mka::kMaxKeychainKeys) __builtin_trap();
    for (const auto& k : file.keys) {
      if (k.ckn.empty() || k.ckn.size() > linkcrypt::mka::kMaxCknLen) __builtin_trap();
      if (k.cak_uri.empty() && k.cak.size() != 16 && k.cak.size() != 32) __builtin_trap();
      if (k.start && k.end && *k.end <= *k.start) __builtin_trap();
      fallbacks += k.fallback ? 1 : 0;
    }
    if (fallbacks > 1 || fallbacks == file.keys.size()) __builtin_trap();
  }
  (void)linkcrypt::mka::keychain_error_name(r.error);
  return 0;
}
