// IKE SAs on their way out (2.18), the peer's INFORMATIONAL requests, and the answers to ours (1.4, 2.4).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- INFORMATIONAL ---------------------------------------------------------------------------

void SessionImpl::on_informational_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  (void)now;
  ChainBuilder c;
  bool delete_ike = false;
  for (const auto& d : in.deletes) {
    if (d.protocol == ProtocolId::Ike)
      delete_ike = true;
    else
      DeleteChildExchange::answer_peer_delete(sas_.children, d, c, out);  // 1.4.1
  }
  const bool auth_failed = in.find_notify(NotifyType::AuthenticationFailed) != nullptr;
  send_response(sa, ExchangeType::Informational, mid, c, out);
  if (auth_failed) {
    fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (!delete_ike) return;
  if (&sa != sas_.ike.get()) {
    sas_.drop_retiring(&sa);  // the rekeyed-away (or redundant) IKE SA: its successor carries on
    return;
  }
  if (sa.collision_product && sas_.ike_rekey_in_flight()) {
    // 2.8.2: the peer deleted the SA our answer created as redundant before our own rekey
    // answer arrived; that answer brings the surviving SA.
    sa.peer_deleted = true;
    return;
  }
  out.events.emplace_back(Deleted{true, 0, true});
  close_session();
}

}  // namespace linkcrypt::ike
