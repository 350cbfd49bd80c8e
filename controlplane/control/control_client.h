// Client side of the control socket: one request, one response line (used by linkcryptctl).
#pragma once

#include <optional>
#include <string>

#include "control_protocol.h"

namespace linkcrypt::control {

struct ClientResult {
  std::optional<json::Value> response;  // the parsed response object
  std::string error;                    // when response is empty: why, with a hint
};

[[nodiscard]] ClientResult call(const std::string& socket_path, const std::string& request_line,
                                int timeout_ms);

}  // namespace linkcrypt::control
