// keying = manual | ike | mka, and the mka-* options: which mode is on, and no option of another mode mixed in.
#pragma once

#include <functional>
#include <string>

#include <boost/program_options/variables_map.hpp>

#include "options.h"

namespace linkcrypt::daemon {

// Sets o.mka; returns one error line (naming where the option was set through `at`), empty when
// fine. Options of another mode: mka-* without keying = mka; key-file or local-id/peer-id with it;
// and the IKE-only options that have defaults, when given with keying = mka.
[[nodiscard]] std::string check_keying_mode(const boost::program_options::variables_map& vm, DaemonOptions& o,
                                            const std::function<std::string(const std::string&)>& at);

}  // namespace linkcrypt::daemon
