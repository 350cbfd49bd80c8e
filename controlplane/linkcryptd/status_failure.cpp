// fill_failure: the last failure's name, hint and age, only while the link is not secured.
#include "status_failure.h"

#include "failure_hint.h"

namespace linkcrypt::daemon {

void fill_failure(api::StatusResult& status, keying::LinkState state, const keying::PeerStatus& peer,
                  std::chrono::steady_clock::time_point now) {
  if (state == keying::LinkState::Secured || !peer.last_failure || peer.last_failure->resolved_at) return;
  const auto& f = *peer.last_failure;
  status.failure = std::string(keying::failure_name(f.cause));
  status.failure_hint = std::string(keying::failure_hint(f.cause));
  const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - f.at).count();
  status.failure_s_ago = ago > 0 ? static_cast<uint64_t>(ago) : 0;
}

}  // namespace linkcrypt::daemon
