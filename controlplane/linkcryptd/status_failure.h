// `status`' reason for a link that is not secured: the keying controller's last typed failure,
// with its hint (keying/failure_hint.h), so the first line of `linkcryptctl status` can say why.
#pragma once

#include <chrono>

#include "api/status.h"
#include "keying_controller.h"

namespace linkcrypt::daemon {

// Sets status.failure, failure_hint and failure_s_ago when the link is not secured and a
// failure is known and not resolved since; a secured link carries none (an old failure is
// history: `peer` keeps it).
void fill_failure(api::StatusResult& status, keying::LinkState state, const keying::PeerStatus& peer,
                  std::chrono::steady_clock::time_point now);

}  // namespace linkcrypt::daemon
