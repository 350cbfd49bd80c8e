// Fuzz target: the key holder's request and answer parsers refuse any malformed frame, and what they accept re-encodes to the same bytes.
#include "keyholder_wire.h"

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <span>

namespace kh = linkcrypt::keyholder;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  // Both sides parse untrusted bytes: the key holder requests (from a compromised linkcryptd),
  // linkcryptd the answers (from a compromised key holder).
  if (auto q = kh::parse_request(in)) {
    if (q->octets.size() > kh::kMaxOctets) __builtin_trap();
    const auto again = kh::encode_request(*q);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  }
  if (auto a = kh::parse_answer(in)) {
    if (!a->result.ok() && a->result.error == linkcrypt::ike::KeyError::None) __builtin_trap();
    const auto again = kh::encode_answer(*a);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  }
  return 0;
}
