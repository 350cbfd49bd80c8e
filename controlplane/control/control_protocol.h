// The control socket's wire protocol (version 1): one JSON object per line each way.
//   request:  {"v":1,"cmd":"sa","args":{...}}
//   response: {"v":1,"ok":true,"result":...}  or  {"v":1,"ok":false,"error":{"code":..,"message":..}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_value.h"

namespace linkcrypt::control {

inline constexpr uint64_t kProtocolVersion = 1;
inline constexpr size_t kMaxRequestLen = 64 * 1024;
inline constexpr size_t kMaxResponseLen = 4 * 1024 * 1024;

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

struct Request {
  std::string cmd;
  json::Value args;  // always an object (empty when absent)
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

[[nodiscard]] std::string build_request(std::string_view cmd, json::Value args = json::Object{});
[[nodiscard]] std::string build_ok(json::Value result);
[[nodiscard]] std::string build_error(ErrorCode code, std::string_view message);

}  // namespace linkcrypt::control
