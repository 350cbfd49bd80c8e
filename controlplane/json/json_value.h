// A small JSON value for the control socket: requests from clients are untrusted, so the parser
// is bounded (size, depth) and reads through ByteReader.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace linkcrypt::json {

class Value;
using Array = std::vector<Value>;
using Object = std::map<std::string, Value, std::less<>>;

class Value {
 public:
  using Storage = std::variant<std::nullptr_t, bool, int64_t, uint64_t, double, std::string,
                               std::shared_ptr<Array>, std::shared_ptr<Object>>;

  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(bool b) : v_(b) {}
  Value(int v) : v_(int64_t{v}) {}
  Value(int64_t v) : v_(v) {}
  Value(uint64_t v) : v_(v) {}
  Value(unsigned v) : v_(uint64_t{v}) {}
  Value(double v) : v_(v) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

  [[nodiscard]] bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
  [[nodiscard]] bool is_bool() const { return std::holds_alternative<bool>(v_); }
  [[nodiscard]] bool is_number() const {
    return std::holds_alternative<int64_t>(v_) || std::holds_alternative<uint64_t>(v_) ||
           std::holds_alternative<double>(v_);
  }
  [[nodiscard]] bool is_string() const { return std::holds_alternative<std::string>(v_); }
  [[nodiscard]] bool is_array() const { return std::holds_alternative<std::shared_ptr<Array>>(v_); }
  [[nodiscard]] bool is_object() const { return std::holds_alternative<std::shared_ptr<Object>>(v_); }

  // Typed reads: nullopt when the value is of another type or out of range.
  [[nodiscard]] std::optional<bool> as_bool() const;
  [[nodiscard]] std::optional<int64_t> as_int() const;
  [[nodiscard]] std::optional<uint64_t> as_uint() const;
  [[nodiscard]] std::optional<double> as_double() const;
  [[nodiscard]] const std::string* as_string() const { return std::get_if<std::string>(&v_); }
  [[nodiscard]] const Array* as_array() const;
  [[nodiscard]] const Object* as_object() const;
  [[nodiscard]] Array* as_array();
  [[nodiscard]] Object* as_object();

  // Object member lookup; nullptr when this is not an object or the key is absent.
  [[nodiscard]] const Value* find(std::string_view key) const;

  [[nodiscard]] const Storage& storage() const { return v_; }

 private:
  Storage v_;
};

enum class ParseError {
  kNone,
  kTooLarge,         // input longer than the caller's limit
  kTooDeep,          // nesting beyond the depth limit
  kUnexpectedEnd,
  kUnexpectedChar,
  kBadEscape,
  kBadUtf16Surrogate,
  kControlCharInString,
  kBadNumber,
  kTrailingData,
  kDuplicateKey,
};

[[nodiscard]] const char* parse_error_name(ParseError e);

struct ParseLimits {
  size_t max_len = 64 * 1024;
  size_t max_depth = 32;
};

struct ParseResult {
  std::optional<Value> value;
  ParseError error = ParseError::kNone;
  size_t offset = 0;  // where the error was found
};

// Parses exactly one JSON text (RFC 8259), surrounded by optional whitespace.
[[nodiscard]] ParseResult parse(std::span<const uint8_t> text, const ParseLimits& limits = {});
[[nodiscard]] ParseResult parse(std::string_view text, const ParseLimits& limits = {});

// Compact serialisation on one line (the control socket is newline-delimited).
[[nodiscard]] std::string write(const Value& v);

}  // namespace linkcrypt::json
