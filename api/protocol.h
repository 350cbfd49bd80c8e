// The control socket's framing (version 1): one JSON object per line each way.
//   request:  {"v":1,"cmd":"sa","args":{...}}
//   response: {"v":1,"ok":true,"result":...}  or  {"v":1,"ok":false,"error":{"code":..,"message":..}}
// Shared by linkcryptd (parse_request, build_ok, build_error) and the client (build_request,
// parse_response). docs/control-socket.md describes it; this file is the reference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/bounded_json.h"

namespace linkcrypt::api {

inline constexpr uint64_t kProtocolVersion = 1;
// A request line longer than this is refused with too_large (and the daemon hangs up).
inline constexpr size_t kMaxRequestLen = 64 * 1024;
inline constexpr size_t kMaxRequestDepth = 16;
inline constexpr size_t kMaxResponseLen = 4 * 1024 * 1024;
inline constexpr size_t kMaxResponseDepth = 64;

enum class ErrorCode {
  kMalformed,          // not JSON, or not an object of the documented shape
  kTooLarge,           // request line longer than kMaxRequestLen
  kUnsupportedVersion, // "v" is not a version this daemon speaks
  kUnknownCommand,
  kBadArgument,        // a known command with arguments it cannot use
  kUnavailable,        // the command is valid but cannot run now (e.g. no peer configured)
  kPermissionDenied,   // a state-changing command from a client that is not root or an admin
  kInternal,
};

[[nodiscard]] const char* error_code_name(ErrorCode c);
[[nodiscard]] std::optional<ErrorCode> parse_error_code(std::string_view name);

struct Request {
  std::string cmd;
  Json args = Json::object();  // always an object (empty when absent)
};

struct RequestError {
  ErrorCode code;
  std::string message;
};

// Parses one request line (without its newline). Exactly one of the two is set.
struct ParsedRequest {
  std::optional<Request> request;
  std::optional<RequestError> error;
};
[[nodiscard]] ParsedRequest parse_request(std::string_view line);

// Each ends with the newline that frames it.
[[nodiscard]] std::string build_request(std::string_view cmd, Json args = Json::object());
[[nodiscard]] std::string build_ok(const Json& result);
[[nodiscard]] std::string build_error(ErrorCode code, std::string_view message);

// A response as the client sees it: ok with a result, or an error code and message.
struct Response {
  bool ok = false;
  Json result;             // ok: the command's result
  std::string error_code;  // !ok: as sent (a newer daemon may send a code this client lacks)
  std::string error_message;
  Json raw;                // the whole response object, for --json
};
// Parses one response line (without its newline); nullopt and `why` when it is not a response.
[[nodiscard]] std::optional<Response> parse_response(std::string_view line, std::string& why);

}  // namespace linkcrypt::api
