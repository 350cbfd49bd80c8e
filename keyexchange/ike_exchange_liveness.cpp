// The liveness unit: the empty INFORMATIONAL request (RFC 7296 2.4).
#include "ike_exchange_liveness.h"

#include "ike_exchange_context.h"

namespace linkcrypt::ike {

void LivenessExchange::start(ExchangeContext& ctx, TimePoint now, Output& out) {
  ctx.send_request(*ctx.sas().ike, LivenessExchange{}, ExchangeType::Informational, ChainBuilder{}, now, out);
}

}  // namespace linkcrypt::ike
