// The session's entries into the handshake: our first IKE_SA_INIT, or the peer's (units in ike_exchange_init/auth.cpp, RFC 7296 1.2).
#include "ike_session_impl.h"

namespace linkcrypt::ike {

Output SessionImpl::start(TimePoint now) {
  Output out;
  if (state_ != SessionState::Idle || role_ != Role::Initiator) return out;
  created_ = now;
  last_rx_ = now;
  InitExchange::start(*this, now, out);
  return out;
}

bool SessionImpl::on_init_request(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  created_ = now;
  last_rx_ = now;
  auto t = InitExchange::answer_request(*this, msg, m, out);
  if (!t) return false;
  init_cache_ = std::make_shared<InitReplyCache>(InitReplyCache{sas_.ike->spi_i, t->request, t->response});
  awaiting_auth_.emplace();
  awaiting_auth_->init = std::move(*t);
  return true;
}

}  // namespace linkcrypt::ike
