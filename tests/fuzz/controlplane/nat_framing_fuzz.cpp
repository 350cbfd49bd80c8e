// libFuzzer target for the UDP 4500 framing parser (non-ESP marker, RFC 3948 2.2/2.3).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "nat_framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::transport;
  std::span<const uint8_t> in(data, size);
  NatFrame frame = parse_nat_frame(in);
  if (frame.kind == NatFrameKind::Ike) {
    // The IKE message is exactly what follows the 4-octet marker, and framing it again gives
    // back the datagram.
    if (frame.ike.size() + 4 != size || frame.ike.data() != data + 4) std::abort();
    auto again = build_nat_frame(frame.ike);
    if (!std::equal(again.begin(), again.end(), in.begin(), in.end())) std::abort();
  } else if (!frame.ike.empty()) {
    std::abort();
  }
  return 0;
}
