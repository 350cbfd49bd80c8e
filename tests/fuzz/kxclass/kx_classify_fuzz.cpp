// libFuzzer target for the worker's key-exchange classifier: arbitrary frames against a known-SA table.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "kx_classify.h"

namespace {

uint64_t be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace

// Input: one octet of table size (low 3 bits), then the frame. The table holds the frame's own
// SPI pair (when the frame is long enough) so that the KnownSa path is reached, plus fillers.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::kxclass;
  if (size == 0) return 0;
  const uint8_t sel = data[0];
  const std::span<const uint8_t> frame(data + 1, size - 1);
  KnownIkeSas known;
  known.count = static_cast<uint8_t>(sel & 0x07);  // up to 7: beyond kMax must be clamped
  if (frame.size() >= 30) {
    const uint64_t spi_i = be64(frame.data() + 14);
    const uint64_t spi_r = be64(frame.data() + 22);
    known.sas[(sel >> 3) % KnownIkeSas::kMax] = {spi_i, (sel & 0x40) ? 0 : spi_r};
  }
  const KxClass c = classify_kx_frame(frame, known);
  // Anything not junk carries a whole IKE header whose Length fits the frame (what the control
  // plane's parse_kx_frame requires), with major version 2 and a known exchange type.
  if (c != KxClass::Junk) {
    if (frame.size() < kKxEthernetHeaderLen + kKxIkeHeaderLen) std::abort();
    const uint8_t* h = frame.data() + kKxEthernetHeaderLen;
    const uint32_t len = static_cast<uint32_t>(h[24]) << 24 | h[25] << 16 | h[26] << 8 | h[27];
    if (len < kKxIkeHeaderLen || len > frame.size() - kKxEthernetHeaderLen) std::abort();
    if ((h[17] >> 4) != 2 || h[18] < 34 || h[18] > 37) std::abort();
  }
  if (c == KxClass::NewInit && (be64(frame.data() + 22) != 0 || (frame[14 + 19] & 0x20) != 0)) std::abort();
  // With an empty table nothing is known.
  if (classify_kx_frame(frame, KnownIkeSas{}) == KxClass::KnownSa) std::abort();
  return 0;
}
