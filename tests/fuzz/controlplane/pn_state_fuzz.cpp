// Fuzz target: the PN reservation state file parser must refuse any malformed record without crashing.
#include "pn_state.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::config;
  PnState s;
  const PnStateError e = parse_pn_state(std::span<const uint8_t>(data, size), s);
  if (e == PnStateError::Ok) {
    // Every accepted record is exactly what build_pn_state writes for it.
    if (size != kPnStateLen || s.reserved_through == 0) __builtin_trap();
    const auto again = build_pn_state(s);
    for (size_t i = 0; i < size; ++i) {
      if (again[i] != data[i]) __builtin_trap();
    }
  }
  (void)pn_state_error_name(e);
  return 0;
}
