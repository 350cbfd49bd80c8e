// MKA's typed failures as operators see them: the status code cloud ports report, and what to check.
#pragma once

#include <string_view>

#include "mka_participant.h"

namespace linkcrypt::mka_keying {

// "CakMismatch", "CknMismatch", "CipherMismatch"; "PeerLost" when the only live peer went silent.
[[nodiscard]] std::string_view mka_failure_name(mka::MkaFailure f);
[[nodiscard]] std::string_view mka_failure_hint(mka::MkaFailure f);
inline constexpr std::string_view kPeerLostName = "PeerLost";
inline constexpr std::string_view kPeerLostHint =
    "no MKPDU from the peer for mka-life-time-ms: check the wire link, the peer's MKA session and mka-eapol-address";

}  // namespace linkcrypt::mka_keying
