// Fuzz target: the manual-keying key-file parser must refuse any malformed text without crashing.
#include "key_file.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  linkcrypt::config::KeyFile keys;
  const auto r = linkcrypt::config::parse_key_file(std::span<const uint8_t>(data, size), keys);
  if (r.ok()) {
    // Invariants every accepted file must hold (docs/keyfile.md).
    if (keys.rx.empty() || keys.rx.size() > linkcrypt::config::kMaxRxSas) __builtin_trap();
    if (keys.tx.sak.size() != linkcrypt::secy::sak_len(keys.suite)) __builtin_trap();
    if (keys.tx.an > 3 || keys.tx.pn == 0) __builtin_trap();
    for (const auto& e : keys.rx) {
      if (e.sak.size() != linkcrypt::secy::sak_len(keys.suite) || e.an > 3) __builtin_trap();
      if (linkcrypt::secy::is_xpn(keys.suite) && e.salt.size() != linkcrypt::secy::kSaltLen) __builtin_trap();
    }
  }
  (void)linkcrypt::config::key_file_error_name(r.error);
  return 0;
}
