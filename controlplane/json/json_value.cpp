// JSON values: typed access and compact one-line serialisation.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

#include "json_value.h"

namespace linkcrypt::json {

std::optional<bool> Value::as_bool() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  return std::nullopt;
}

std::optional<int64_t> Value::as_int() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* u = std::get_if<uint64_t>(&v_)) {
    if (*u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

std::optional<uint64_t> Value::as_uint() const {
  if (auto* u = std::get_if<uint64_t>(&v_)) return *u;
  if (auto* i = std::get_if<int64_t>(&v_)) {
    if (*i >= 0) return static_cast<uint64_t>(*i);
  }
  return std::nullopt;
}

std::optional<double> Value::as_double() const {
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (auto* u = std::get_if<uint64_t>(&v_)) return static_cast<double>(*u);
  return std::nullopt;
}

const Array* Value::as_array() const {
  auto* p = std::get_if<std::shared_ptr<Array>>(&v_);
  return p ? p->get() : nullptr;
}
const Object* Value::as_object() const {
  auto* p = std::get_if<std::shared_ptr<Object>>(&v_);
  return p ? p->get() : nullptr;
}
Array* Value::as_array() {
  auto* p = std::get_if<std::shared_ptr<Array>>(&v_);
  return p ? p->get() : nullptr;
}
Object* Value::as_object() {
  auto* p = std::get_if<std::shared_ptr<Object>>(&v_);
  return p ? p->get() : nullptr;
}

const Value* Value::find(std::string_view key) const {
  const Object* o = as_object();
  if (!o) return nullptr;
  auto it = o->find(key);
  return it == o->end() ? nullptr : &it->second;
}

namespace {

void write_string(std::string& out, const std::string& s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void write_value(std::string& out, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(x)) {
            out += "null";  // JSON has no NaN/Inf
          } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", x);
            out += buf;
            // Keep a double a double when read back ("-0" would come back as integer 0).
            if (std::string_view(buf).find_first_of(".eEn") == std::string_view::npos) out += ".0";
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          write_string(out, x);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<Array>>) {
          out.push_back('[');
          bool first = true;
          for (const Value& e : *x) {
            if (!first) out.push_back(',');
            first = false;
            write_value(out, e);
          }
          out.push_back(']');
        } else {
          out.push_back('{');
          bool first = true;
          for (const auto& [k, e] : *x) {
            if (!first) out.push_back(',');
            first = false;
            write_string(out, k);
            out.push_back(':');
            write_value(out, e);
          }
          out.push_back('}');
        }
      },
      v.storage());
}

}  // namespace

std::string write(const Value& v) {
  std::string out;
  write_value(out, v);
  return out;
}

}  // namespace linkcrypt::json
