// The control socket's framing (version 1): parse and build requests and responses.
#include "api/protocol.h"

#include <array>

namespace linkcrypt::api {

namespace {
constexpr std::array kErrorCodes = {
    std::pair{ErrorCode::kMalformed, "malformed"},
    std::pair{ErrorCode::kTooLarge, "too_large"},
    std::pair{ErrorCode::kUnsupportedVersion, "unsupported_version"},
    std::pair{ErrorCode::kUnknownCommand, "unknown_command"},
    std::pair{ErrorCode::kBadArgument, "bad_argument"},
    std::pair{ErrorCode::kUnavailable, "unavailable"},
    std::pair{ErrorCode::kPermissionDenied, "permission_denied"},
    std::pair{ErrorCode::kInternal, "internal"},
};
}  // namespace

const char* error_code_name(ErrorCode c) {
  for (const auto& [code, name] : kErrorCodes) {
    if (code == c) return name;
  }
  return "internal";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) {
  for (const auto& [code, n] : kErrorCodes) {
    if (name == n) return code;
  }
  return std::nullopt;
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
  auto parsed = parse_bounded(line, ParseLimits{.max_len = kMaxRequestLen, .max_depth = kMaxRequestDepth});
  if (!parsed.value) {
    return fail(ErrorCode::kMalformed, std::string("invalid JSON at offset ") + std::to_string(parsed.offset) +
                                           ": " + parse_error_name(parsed.error));
  }
  const Json& v = *parsed.value;
  if (!v.is_object()) return fail(ErrorCode::kMalformed, "request must be a JSON object");
  const auto ver = v.find("v");
  if (ver == v.end()) return fail(ErrorCode::kMalformed, "missing \"v\" (protocol version)");
  if (!ver->is_number_unsigned()) return fail(ErrorCode::kMalformed, "\"v\" must be a non-negative integer");
  const uint64_t ver_num = ver->get<uint64_t>();
  if (ver_num != kProtocolVersion) {
    return fail(ErrorCode::kUnsupportedVersion, "protocol version " + std::to_string(ver_num) +
                                                    " not supported (this daemon speaks " +
                                                    std::to_string(kProtocolVersion) + ")");
  }
  const auto cmd = v.find("cmd");
  if (cmd == v.end() || !cmd->is_string() || cmd->get_ref<const std::string&>().empty()) {
    return fail(ErrorCode::kMalformed, "missing or empty \"cmd\" string");
  }
  Request req;
  req.cmd = cmd->get<std::string>();
  if (const auto args = v.find("args"); args != v.end()) {
    if (!args->is_object()) return fail(ErrorCode::kMalformed, "\"args\" must be an object");
    req.args = *args;
  }
  for (const auto& [key, _] : v.items()) {
    if (key != "v" && key != "cmd" && key != "args") {
      return fail(ErrorCode::kMalformed, "unknown request field \"" + key + "\"");
    }
  }
  out.request = std::move(req);
  return out;
}

std::string build_request(std::string_view cmd, Json args) {
  Json o = Json::object();
  o["v"] = kProtocolVersion;
  o["cmd"] = std::string(cmd);
  o["args"] = std::move(args);
  return write_compact(o) + "\n";
}

std::string build_ok(const Json& result) {
  Json o = Json::object();
  o["v"] = kProtocolVersion;
  o["ok"] = true;
  o["result"] = result;
  return write_compact(o) + "\n";
}

std::string build_error(ErrorCode code, std::string_view message) {
  Json o = Json::object();
  o["v"] = kProtocolVersion;
  o["ok"] = false;
  o["error"] = Json{{"code", error_code_name(code)}, {"message", std::string(message)}};
  return write_compact(o) + "\n";
}

std::optional<Response> parse_response(std::string_view line, std::string& why) {
  auto parsed = parse_bounded(line, ParseLimits{.max_len = kMaxResponseLen, .max_depth = kMaxResponseDepth});
  if (!parsed.value || !parsed.value->is_object()) {
    why = "linkcryptd sent a response that is not a JSON object";
    return std::nullopt;
  }
  Response r;
  r.raw = std::move(*parsed.value);
  const auto ok = r.raw.find("ok");
  r.ok = ok != r.raw.end() && ok->is_boolean() && ok->get<bool>();
  if (r.ok) {
    if (const auto res = r.raw.find("result"); res != r.raw.end()) r.result = *res;
    return r;
  }
  if (const auto err = r.raw.find("error"); err != r.raw.end() && err->is_object()) {
    if (const auto c = err->find("code"); c != err->end() && c->is_string()) r.error_code = c->get<std::string>();
    if (const auto m = err->find("message"); m != err->end() && m->is_string()) {
      r.error_message = m->get<std::string>();
    }
  }
  return r;
}

}  // namespace linkcrypt::api
