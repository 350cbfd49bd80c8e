// The control socket's client (linkcryptctl): one request, one response line, decoded into the
// contract's structs.
#pragma once

#include <optional>
#include <string>

#include "api/protocol.h"

namespace linkcrypt::api {

struct ClientResult {
  std::optional<Response> response;  // the parsed response
  std::string error;                 // when response is empty: why, with a hint
};

// Connects to socket_path, sends request_line (framed by build_request), waits for one line.
[[nodiscard]] ClientResult call(const std::string& socket_path, const std::string& request_line,
                                int timeout_ms);

// A successful response's result as the command's struct; nullopt and `why` when it does not fit.
template <class Result>
[[nodiscard]] std::optional<Result> decode_result(const Response& r, std::string& why) {
  Result out{};
  DecodeError err;
  if (!from_json_value(r.result, out, err)) {
    why = "linkcryptd's result does not match the API (" + err.text() + ")";
    return std::nullopt;
  }
  return out;
}

}  // namespace linkcrypt::api
