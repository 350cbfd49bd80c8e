// Fuzz the MKPDU decoder; whatever it accepts must re-encode and decode to the same MKPDU.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "mkpdu.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::mka;
  DecodedMkpdu d;
  if (decode_mkpdu(std::span(data, size), d) != MkpduError::None) return 0;
  static const uint8_t kIck[16] = {0x5A};
  (void)mkpdu_icv_ok(d, kIck);
  const auto again = encode_mkpdu(d.pdu, d.dst, d.src, kIck);
  if (!again) std::abort();  // everything the decoder accepts is encodable
  DecodedMkpdu e;
  if (decode_mkpdu(*again, e) != MkpduError::None || !(e.pdu == d.pdu) || !mkpdu_icv_ok(e, kIck)) std::abort();
  return 0;
}
