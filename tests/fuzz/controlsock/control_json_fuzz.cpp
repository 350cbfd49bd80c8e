// Fuzz target: control-socket request bytes into the bounded JSON parser, then round trip.
#include <cstdint>
#include <cstdlib>

#include "json_value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::json;
  auto r = parse(std::span<const uint8_t>(data, size));
  if (!r.value) return 0;
  // Whatever parses must serialise to text that parses back to the same serialisation.
  std::string once = write(*r.value);
  auto again = parse(once, ParseLimits{.max_len = once.size() + 1, .max_depth = 64});
  if (!again.value || write(*again.value) != once) std::abort();
  return 0;
}
