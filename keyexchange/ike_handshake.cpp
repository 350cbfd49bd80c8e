// The session's entries into the handshake: IKE_SA_INIT leads to IKE_AUTH (units in ike_exchange_init/auth.cpp, RFC 7296 1.2).
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
  auto t = InitExchange::answer_request(*this, msg, m, now, out);
  if (!t) return false;
  awaiting_auth_.emplace();
  awaiting_auth_->init = std::move(*t);
  return true;
}

void SessionImpl::on_init_response(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  auto t = std::get<InitExchange>(ike_->pending->req).process_response(*this, msg, m, now, out);
  if (!t) return;
  ike_->pending.reset();
  last_rx_ = now;
  AuthExchange::start(*this, std::move(*t), now, out);
}

}  // namespace linkcrypt::ike
