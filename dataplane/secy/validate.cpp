// validate_burst: 802.1AE 10.6 receive verification in place (stub until the next commit).
#include "validate.h"

namespace linkcrypt::secy {

const char* rx_verdict_name(RxVerdict v) {
  switch (v) {
    case RxVerdict::Ok: return "OK";
    case RxVerdict::Delayed: return "Delayed";
    case RxVerdict::Unchecked: return "Unchecked";
    case RxVerdict::Invalid: return "Invalid";
    case RxVerdict::UnknownSci: return "UnknownSCI";
    case RxVerdict::UnusedSa: return "UnusedSA";
    case RxVerdict::Untagged: return "Untagged";
    case RxVerdict::NoTag: return "NoTag";
    case RxVerdict::BadTag: return "BadTag";
    case RxVerdict::NoSci: return "NoSCI";
    case RxVerdict::NotUsingSa: return "NotUsingSA";
    case RxVerdict::Late: return "Late";
    case RxVerdict::NotValid: return "NotValid";
  }
  return "?";
}

uint32_t validate_burst(CipherEngine&, const RxTable&, const SecyConfig&, FrameRef*, uint32_t n,
                        ValidateResult* results, SecyCounters&) {
  for (uint32_t i = 0; i < n; ++i) results[i] = ValidateResult{RxVerdict::NotValid, {}, 0, 0, 0, 0, 0};
  return 0;
}

}  // namespace linkcrypt::secy
