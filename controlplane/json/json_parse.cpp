// JSON parser (RFC 8259) for untrusted control-socket requests: bounded size and depth.
#include "byte_reader.h"
#include "json_value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace linkcrypt::json {

namespace {

class Parser {
 public:
  Parser(std::span<const uint8_t> in, const ParseLimits& limits)
      : in_(in), total_len_(in.size()), limits_(limits) {}

  ParseResult run() {
    ParseResult r;
    if (total_len_ > limits_.max_len) return fail(ParseError::kTooLarge);
    skip_ws();
    Value v;
    if (!parse_value(v, 0)) return fail(error_);
    skip_ws();
    if (!in_.empty()) return fail(ParseError::kTrailingData);
    r.value = std::move(v);
    return r;
  }

 private:
  ParseResult fail(ParseError e) {
    ParseResult r;
    r.error = e;
    r.offset = total_len_ - in_.remaining();
    return r;
  }
  bool set_error(ParseError e) {
    error_ = e;
    return false;
  }

  void skip_ws() {
    uint8_t c = 0;
    while (in_.peek_u8(c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) (void)in_.skip(1);
  }

  bool expect_literal(std::string_view word) {
    std::span<const uint8_t> got;
    if (!in_.read_bytes(word.size(), got)) return set_error(ParseError::kUnexpectedEnd);
    for (size_t i = 0; i < word.size(); ++i) {
      if (got[i] != static_cast<uint8_t>(word[i])) return set_error(ParseError::kUnexpectedChar);
    }
    return true;
  }

  bool parse_value(Value& out, size_t depth) {
    if (depth > limits_.max_depth) return set_error(ParseError::kTooDeep);
    uint8_t c = 0;
    if (!in_.peek_u8(c)) return set_error(ParseError::kUnexpectedEnd);
    switch (c) {
      case '{': return parse_object(out, depth + 1);
      case '[': return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = Value(std::move(s));
        return true;
      }
      case 't':
        if (!expect_literal("true")) return false;
        out = Value(true);
        return true;
      case 'f':
        if (!expect_literal("false")) return false;
        out = Value(false);
        return true;
      case 'n':
        if (!expect_literal("null")) return false;
        out = Value(nullptr);
        return true;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
        return set_error(ParseError::kUnexpectedChar);
    }
  }

  bool parse_object(Value& out, size_t depth) {
    if (depth > limits_.max_depth) return set_error(ParseError::kTooDeep);
    (void)in_.skip(1);  // '{'
    Object obj;
    skip_ws();
    uint8_t c = 0;
    if (in_.peek_u8(c) && c == '}') {
      (void)in_.skip(1);
      out = Value(std::move(obj));
      return true;
    }
    for (;;) {
      skip_ws();
      if (!in_.peek_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      if (c != '"') return set_error(ParseError::kUnexpectedChar);
      std::string key;
      if (!parse_string(key)) return false;
      skip_ws();
      if (!in_.read_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      if (c != ':') return set_error(ParseError::kUnexpectedChar);
      skip_ws();
      Value v;
      if (!parse_value(v, depth)) return false;
      // Duplicate keys are ambiguous (RFC 8259 §4): refuse rather than pick one silently.
      if (!obj.emplace(std::move(key), std::move(v)).second) return set_error(ParseError::kDuplicateKey);
      skip_ws();
      if (!in_.read_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      if (c == '}') break;
      if (c != ',') return set_error(ParseError::kUnexpectedChar);
    }
    out = Value(std::move(obj));
    return true;
  }

  bool parse_array(Value& out, size_t depth) {
    if (depth > limits_.max_depth) return set_error(ParseError::kTooDeep);
    (void)in_.skip(1);  // '['
    Array arr;
    skip_ws();
    uint8_t c = 0;
    if (in_.peek_u8(c) && c == ']') {
      (void)in_.skip(1);
      out = Value(std::move(arr));
      return true;
    }
    for (;;) {
      skip_ws();
      Value v;
      if (!parse_value(v, depth)) return false;
      arr.push_back(std::move(v));
      skip_ws();
      if (!in_.read_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      if (c == ']') break;
      if (c != ',') return set_error(ParseError::kUnexpectedChar);
    }
    out = Value(std::move(arr));
    return true;
  }

  bool read_hex4(uint32_t& out) {
    std::span<const uint8_t> h;
    if (!in_.read_bytes(4, h)) return set_error(ParseError::kUnexpectedEnd);
    out = 0;
    for (uint8_t d : h) {
      uint32_t n;
      if (d >= '0' && d <= '9') n = d - '0';
      else if (d >= 'a' && d <= 'f') n = d - 'a' + 10;
      else if (d >= 'A' && d <= 'F') n = d - 'A' + 10;
      else return set_error(ParseError::kBadEscape);
      out = (out << 4) | n;
    }
    return true;
  }

  static void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool parse_string(std::string& out) {
    (void)in_.skip(1);  // '"'
    uint8_t c = 0;
    for (;;) {
      if (!in_.read_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      if (c == '"') return true;
      if (c < 0x20) return set_error(ParseError::kControlCharInString);
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (!in_.read_u8(c)) return set_error(ParseError::kUnexpectedEnd);
      switch (c) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!read_hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return set_error(ParseError::kBadUtf16Surrogate);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by \u and a low surrogate (RFC 8259 §7).
            if (!expect_literal("\\u")) return set_error(ParseError::kBadUtf16Surrogate);
            uint32_t low = 0;
            if (!read_hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return set_error(ParseError::kBadUtf16Surrogate);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return set_error(ParseError::kBadEscape);
      }
    }
  }

  bool parse_number(Value& out) {
    // Grammar of RFC 8259 §6, checked before conversion.
    auto rest = in_.rest();
    size_t i = 0;
    auto digit = [&](size_t k) { return k < rest.size() && rest[k] >= '0' && rest[k] <= '9'; };
    bool negative = false, integral = true;
    if (i < rest.size() && rest[i] == '-') {
      negative = true;
      ++i;
    }
    if (!digit(i)) return set_error(ParseError::kBadNumber);
    if (rest[i] == '0') {
      ++i;
      if (digit(i)) return set_error(ParseError::kBadNumber);  // no leading zeros
    } else {
      while (digit(i)) ++i;
    }
    if (i < rest.size() && rest[i] == '.') {
      integral = false;
      ++i;
      if (!digit(i)) return set_error(ParseError::kBadNumber);
      while (digit(i)) ++i;
    }
    if (i < rest.size() && (rest[i] == 'e' || rest[i] == 'E')) {
      integral = false;
      ++i;
      if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) ++i;
      if (!digit(i)) return set_error(ParseError::kBadNumber);
      while (digit(i)) ++i;
    }
    const char* first = reinterpret_cast<const char*>(rest.data());
    const char* last = first + i;
    if (integral) {
      if (negative) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(first, last, v);
        if (ec == std::errc() && p == last) {
          out = Value(v);
          (void)in_.skip(i);
          return true;
        }
      } else {
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(first, last, v);
        if (ec == std::errc() && p == last) {
          out = Value(v);
          (void)in_.skip(i);
          return true;
        }
      }
    }
    double d = 0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || p != last || !std::isfinite(d)) return set_error(ParseError::kBadNumber);
    out = Value(d);
    (void)in_.skip(i);
    return true;
  }

  ByteReader in_;
  size_t total_len_;
  ParseLimits limits_;
  ParseError error_ = ParseError::kNone;
};

}  // namespace

const char* parse_error_name(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "none";
    case ParseError::kTooLarge: return "request too large";
    case ParseError::kTooDeep: return "nesting too deep";
    case ParseError::kUnexpectedEnd: return "unexpected end of input";
    case ParseError::kUnexpectedChar: return "unexpected character";
    case ParseError::kBadEscape: return "bad escape in string";
    case ParseError::kBadUtf16Surrogate: return "bad UTF-16 surrogate in \\u escape";
    case ParseError::kControlCharInString: return "control character in string";
    case ParseError::kBadNumber: return "malformed number";
    case ParseError::kTrailingData: return "data after the JSON value";
    case ParseError::kDuplicateKey: return "duplicate object key";
  }
  return "unknown";
}

ParseResult parse(std::span<const uint8_t> text, const ParseLimits& limits) {
  return Parser(text, limits).run();
}

ParseResult parse(std::string_view text, const ParseLimits& limits) {
  return parse(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
               limits);
}

}  // namespace linkcrypt::json
