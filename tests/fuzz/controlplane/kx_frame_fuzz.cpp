// libFuzzer target for the in-band key-exchange frame parser (Ethernet + IKE Length trimming).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "kx_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::transport;
  const std::span<const uint8_t> in(data, size);
  KxFrameDrop why{};
  const auto ike = parse_kx_frame(in, kDefaultKxEtherType, why);
  if (ike) {
    // The message lies inside the frame, after the Ethernet header, and is at least an IKE
    // header long; re-framing it reproduces the frame's EtherType and payload prefix.
    if (ike->size() < kIkeHeaderLen || ike->data() != data + kEthernetHeaderLen ||
        kEthernetHeaderLen + ike->size() > size) {
      std::abort();
    }
    MacAddress src{};
    std::copy_n(data + 6, 6, src.begin());
    const auto again = build_kx_frame(src, kDefaultKxEtherType, *ike);
    if (!std::equal(again.begin() + 6, again.end(), in.begin() + 6)) std::abort();
  }
  return 0;
}
