// The control socket's wire protocol (version 1): parse requests, build responses.
#include "control_protocol.h"

namespace linkcrypt::control {

const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupportedVersion: return "unsupported_version";
    case ErrorCode::kUnknownCommand: return "unknown_command";
    case ErrorCode::kBadArgument: return "bad_argument";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

ParsedRequest parse_request(std::string_view line) {
  ParsedRequest out;
  auto fail = [&](ErrorCode code, std::string msg) {
    out.error = RequestError{code, std::move(msg)};
    return out;
  };
  if (line.size() > kMaxRequestLen) {
    return fail(ErrorCode::kTooLarge, "request exceeds " + std::to_string(kMaxRequestLen) + " octets");
  }
  auto parsed = json::parse(line, json::ParseLimits{.max_len = kMaxRequestLen, .max_depth = 16});
  if (!parsed.value) {
    return fail(ErrorCode::kMalformed, std::string("invalid JSON at offset ") +
                                           std::to_string(parsed.offset) + ": " +
                                           json::parse_error_name(parsed.error));
  }
  const json::Value& v = *parsed.value;
  if (!v.is_object()) return fail(ErrorCode::kMalformed, "request must be a JSON object");
  const json::Value* ver = v.find("v");
  if (!ver) return fail(ErrorCode::kMalformed, "missing \"v\" (protocol version)");
  auto ver_num = ver->as_uint();
  if (!ver_num) return fail(ErrorCode::kMalformed, "\"v\" must be a non-negative integer");
  if (*ver_num != kProtocolVersion) {
    return fail(ErrorCode::kUnsupportedVersion, "protocol version " + std::to_string(*ver_num) +
                                                    " not supported (this daemon speaks " +
                                                    std::to_string(kProtocolVersion) + ")");
  }
  const json::Value* cmd = v.find("cmd");
  if (!cmd || !cmd->as_string() || cmd->as_string()->empty()) {
    return fail(ErrorCode::kMalformed, "missing or empty \"cmd\" string");
  }
  Request req;
  req.cmd = *cmd->as_string();
  if (const json::Value* args = v.find("args")) {
    if (!args->is_object()) return fail(ErrorCode::kMalformed, "\"args\" must be an object");
    req.args = *args;
  } else {
    req.args = json::Object{};
  }
  for (const auto& [key, _] : *v.as_object()) {
    if (key != "v" && key != "cmd" && key != "args") {
      return fail(ErrorCode::kMalformed, "unknown request field \"" + key + "\"");
    }
  }
  out.request = std::move(req);
  return out;
}

std::string build_request(std::string_view cmd, json::Value args) {
  json::Object o;
  o["v"] = json::Value(kProtocolVersion);
  o["cmd"] = json::Value(cmd);
  o["args"] = std::move(args);
  return json::write(json::Value(std::move(o))) + "\n";
}

std::string build_ok(json::Value result) {
  json::Object o;
  o["v"] = json::Value(kProtocolVersion);
  o["ok"] = json::Value(true);
  o["result"] = std::move(result);
  return json::write(json::Value(std::move(o))) + "\n";
}

std::string build_error(ErrorCode code, std::string_view message) {
  json::Object err;
  err["code"] = json::Value(error_code_name(code));
  err["message"] = json::Value(message);
  json::Object o;
  o["v"] = json::Value(kProtocolVersion);
  o["ok"] = json::Value(false);
  o["error"] = json::Value(std::move(err));
  return json::write(json::Value(std::move(o))) + "\n";
}

}  // namespace linkcrypt::control
