// Bounded JSON parsing through nlohmann's SAX interface: the tree is built here, so depth and
// duplicate keys are checked while parsing, before anything large is allocated.
#include "api/bounded_json.h"

#include <cmath>
#include <vector>

namespace linkcrypt::api {
namespace {

// Builds the DOM like nlohmann's own SAX DOM parser, and stops at the first broken limit.
class BoundedBuilder {
 public:
  explicit BoundedBuilder(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool v) { return add(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return add(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return add(Json(v)); }
  bool number_float(Json::number_float_t v, const Json::string_t&) {
    if (!std::isfinite(v)) return fail(ParseError::kSyntax);  // nlohmann refuses these first
    return add(Json(v));
  }
  bool string(Json::string_t& v) { return add(Json(std::move(v))); }
  bool binary(Json::binary_t&) { return fail(ParseError::kSyntax); }  // not produced by JSON text
  bool start_object(size_t) { return open(Json::object()); }
  bool key(Json::string_t& k) {
    if (stack_.back()->contains(k)) return fail(ParseError::kDuplicateKey);
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(size_t) { return open(Json::array()); }
  bool end_array() { return close(); }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    if (error_ == ParseError::kNone) {
      error_ = ParseError::kSyntax;
      offset_ = position;
      detail_ = ex.what();
    }
    return false;
  }

  [[nodiscard]] ParseError error() const { return error_; }
  [[nodiscard]] size_t offset() const { return offset_; }
  [[nodiscard]] const std::string& detail() const { return detail_; }
  [[nodiscard]] Json take() { return std::move(root_); }

 private:
  bool fail(ParseError e) {
    error_ = e;
    return false;
  }
  // Places v in the open container (or as the root) and returns where it went.
  Json* place(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    Json& slot = top[key_];
    slot = std::move(v);
    return &slot;
  }
  bool add(Json v) {
    place(std::move(v));
    return true;
  }
  bool open(Json container) {
    if (stack_.size() + 1 > max_depth_) return fail(ParseError::kTooDeep);
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  size_t max_depth_;
  std::vector<Json*> stack_;
  Json root_;
  std::string key_;
  ParseError error_ = ParseError::kNone;
  size_t offset_ = 0;
  std::string detail_;
};

}  // namespace

const char* parse_error_name(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "none";
    case ParseError::kTooLarge: return "too large";
    case ParseError::kTooDeep: return "nested too deeply";
    case ParseError::kSyntax: return "syntax error";
    case ParseError::kDuplicateKey: return "duplicate key";
  }
  return "?";
}

ParseResult parse_bounded(std::string_view text, const ParseLimits& limits) {
  ParseResult r;
  if (text.size() > limits.max_len) {
    r.error = ParseError::kTooLarge;
    r.offset = limits.max_len;
    return r;
  }
  BoundedBuilder b(limits.max_depth);
  const bool ok = Json::sax_parse(text.begin(), text.end(), &b, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true);
  if (!ok || b.error() != ParseError::kNone) {
    r.error = b.error() == ParseError::kNone ? ParseError::kSyntax : b.error();
    r.offset = b.offset();
    r.detail = b.detail();
    return r;
  }
  r.value = b.take();
  return r;
}

ParseResult parse_bounded(std::span<const uint8_t> text, const ParseLimits& limits) {
  return parse_bounded(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), limits);
}

std::string write_compact(const Json& v) {
  return v.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace linkcrypt::api
