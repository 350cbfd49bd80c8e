// What `linkcryptctl status` shows of the keying state, taken from the controller in the IKE process and sent to the dataplane.
#pragma once

#include <chrono>

#include "keying_controller.h"
#include "keying_wire.h"

namespace linkcrypt::ikeproc {

[[nodiscard]] ipc::Status keying_status(const keying::KeyingController& c, std::chrono::steady_clock::time_point now);

}  // namespace linkcrypt::ikeproc
