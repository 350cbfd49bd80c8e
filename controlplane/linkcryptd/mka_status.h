// `mka` and the MKA part of `status`: the controller's view in the contract's structs (api/mka.h, api/status.h).
#pragma once

#include <chrono>

#include "api/mka.h"
#include "api/status.h"
#include "mka_controller.h"

namespace linkcrypt::daemon {

[[nodiscard]] api::MkaResult mka_result(const mka_keying::MkaView& v);
// state, transport "mka", tx_an, rotations, and the typed failure with its hint while not secured.
void fill_mka_status(api::StatusResult& s, const mka_keying::MkaView& v, std::chrono::steady_clock::time_point now);

}  // namespace linkcrypt::daemon
