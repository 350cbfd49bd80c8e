// How the contract spells SCIs and key identifiers: 16 lower-case hex digits.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace linkcrypt::api {

[[nodiscard]] inline std::string hex_id(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

}  // namespace linkcrypt::api
