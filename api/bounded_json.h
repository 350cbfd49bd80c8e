// Parses untrusted JSON text into nlohmann::json within limits: size, nesting depth, no
// duplicate keys (nlohmann itself refuses 1e999: "number overflow"). No exceptions: a typed reason and the offset on failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/field_list.h"

namespace linkcrypt::api {

enum class ParseError : uint8_t {
  kNone,
  kTooLarge,      // input longer than the caller's limit
  kTooDeep,       // nesting beyond the depth limit
  kSyntax,        // not RFC 8259 JSON (nlohmann's lexer/parser said why)
  kDuplicateKey,  // an object names the same member twice (RFC 8259 4: SHOULD be unique)
};

[[nodiscard]] const char* parse_error_name(ParseError e);

struct ParseLimits {
  size_t max_len = 64 * 1024;
  size_t max_depth = 32;
};

struct ParseResult {
  std::optional<Json> value;
  ParseError error = ParseError::kNone;
  size_t offset = 0;   // where the error was found
  std::string detail;  // kSyntax: the parser's own words
};

// Exactly one JSON text, with optional whitespace around it.
[[nodiscard]] ParseResult parse_bounded(std::string_view text, const ParseLimits& limits = {});
[[nodiscard]] ParseResult parse_bounded(std::span<const uint8_t> text, const ParseLimits& limits = {});

// One line of compact JSON (the control socket is newline-delimited). Invalid UTF-8 in a string
// (an IKE identity is bytes) is replaced by U+FFFD instead of failing the whole reply.
[[nodiscard]] std::string write_compact(const Json& v);

}  // namespace linkcrypt::api
