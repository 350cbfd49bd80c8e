// The one place a contract struct's JSON names are written: a list of (name, member) per struct,
// read by the encoder, the decoder and linkcryptctl's column order alike.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace linkcrypt::api {

using Json = nlohmann::json;

// How an empty std::optional member appears: as null (the key is always there), or not at all
// (a key that only some rows carry, e.g. lowest_pn on receive SAs).
enum class Absent : uint8_t { kNull, kOmitted };

template <class S, class M>
struct Field {
  std::string_view name;
  M S::*member;
  Absent absent = Absent::kNull;
};

template <class S, class M>
constexpr Field<S, M> field(std::string_view name, M S::*member, Absent absent = Absent::kNull) {
  return {name, member, absent};
}

// A struct takes part by declaring, beside it, `constexpr auto fields_of(std::type_identity<S>)`
// returning a std::tuple of Field.
template <class S>
concept HasFields = requires { fields_of(std::type_identity<S>{}); };

// Counters whose names their owner defines (secy::visit_counters, dpdk::visit_counters, the
// transport): the API carries them as a name -> value map.
using CounterMap = std::map<std::string, uint64_t>;

// All overloads first: a member of type std::vector<std::string> must find the vector overload
// although ADL would not look in this namespace for it.
template <class T> void encode_value(Json& j, const T& v);
template <class T> void encode_value(Json& j, const std::vector<T>& v);
template <class T> void encode_value(Json& j, const std::optional<T>& v);
struct DecodeError;
template <class T> bool decode_value(const Json& j, T& out, std::string_view where, DecodeError& err);
template <class T> bool decode_value(const Json& j, std::vector<T>& out, std::string_view where, DecodeError& err);

// ---- encoding -------------------------------------------------------------------------------

template <class T>
void encode_value(Json& j, const T& v) {
  if constexpr (HasFields<T>) {
    j = Json::object();
    std::apply([&](const auto&... f) { (encode_member(j, v, f), ...); }, fields_of(std::type_identity<T>{}));
  } else if constexpr (std::is_same_v<T, bool>) {
    j = v;
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    j = static_cast<uint64_t>(v);
  } else if constexpr (std::is_integral_v<T>) {
    j = static_cast<int64_t>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    j = std::isfinite(v) ? Json(v) : Json();  // JSON has no NaN or infinity
  } else if constexpr (std::is_same_v<T, std::string>) {
    j = v;
  } else if constexpr (std::is_same_v<T, CounterMap>) {
    j = Json::object();
    for (const auto& [k, c] : v) j[k] = c;
  } else {
    encode_custom(j, v);  // a struct whose JSON shape is not a plain field list (found by ADL)
  }
}

template <class T>
void encode_value(Json& j, const std::vector<T>& v) {
  j = Json::array();
  for (const auto& e : v) {
    Json x;
    encode_value(x, e);
    j.push_back(std::move(x));
  }
}

template <class T>
void encode_value(Json& j, const std::optional<T>& v) {
  if (v) {
    encode_value(j, *v);
  } else {
    j = nullptr;
  }
}

template <class S, class M>
void encode_member(Json& j, const S& s, const Field<S, M>& f) {
  const M& v = s.*(f.member);
  if constexpr (requires { v.has_value(); }) {
    if (!v.has_value() && f.absent == Absent::kOmitted) return;
  }
  encode_value(j[std::string(f.name)], v);
}

template <class T>
[[nodiscard]] Json to_json_value(const T& v) {
  Json j;
  encode_value(j, v);
  return j;
}

// ---- decoding (untrusted input: no exceptions, a path and a reason on failure) -------------

struct DecodeError {
  std::string where;  // e.g. "sas[1].an"
  std::string what;   // e.g. "expected a non-negative integer"
  [[nodiscard]] std::string text() const { return where.empty() ? what : where + ": " + what; }
};

inline bool decode_fail(DecodeError& err, std::string_view where, std::string what) {
  err.where = std::string(where);
  err.what = std::move(what);
  return false;
}

template <class S, class M>
bool decode_member(const Json& j, S& s, const Field<S, M>& f, std::string_view where, DecodeError& err) {
  const std::string path = where.empty() ? std::string(f.name) : std::string(where) + "." + std::string(f.name);
  auto it = j.find(f.name);
  M& v = s.*(f.member);
  if constexpr (requires { v.has_value(); }) {
    if (it == j.end() || it->is_null()) {
      v.reset();
      return true;
    }
    typename M::value_type inner{};
    if (!decode_value(*it, inner, path, err)) return false;
    v = std::move(inner);
    return true;
  } else {
    if (it == j.end()) return decode_fail(err, path, "missing");
    return decode_value(*it, v, path, err);
  }
}

template <class T>
bool decode_value(const Json& j, T& out, std::string_view where, DecodeError& err) {
  if constexpr (HasFields<T>) {
    if (!j.is_object()) return decode_fail(err, where, "expected an object");
    return std::apply([&](const auto&... f) { return (decode_member(j, out, f, where, err) && ...); },
                      fields_of(std::type_identity<T>{}));
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return decode_fail(err, where, "expected true or false");
    out = j.get<bool>();
    return true;
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<int64_t>() >= 0)) {
      return decode_fail(err, where, "expected a non-negative integer");
    }
    const uint64_t u = j.get<uint64_t>();
    if (u > std::numeric_limits<T>::max()) return decode_fail(err, where, "out of range");
    out = static_cast<T>(u);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return decode_fail(err, where, "expected an integer");
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return decode_fail(err, where, "out of range");
    }
    const int64_t i = j.get<int64_t>();
    if (i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) {
      return decode_fail(err, where, "out of range");
    }
    out = static_cast<T>(i);
    return true;
  } else if constexpr (std::is_same_v<T, double>) {
    if (!j.is_number()) return decode_fail(err, where, "expected a number");
    out = j.get<double>();
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return decode_fail(err, where, "expected a string");
    out = j.get_ref<const std::string&>();
    return true;
  } else if constexpr (std::is_same_v<T, CounterMap>) {
    if (!j.is_object()) return decode_fail(err, where, "expected an object of counters");
    out.clear();
    for (const auto& [k, c] : j.items()) {
      uint64_t n = 0;
      if (!decode_value(c, n, std::string(where) + "." + k, err)) return false;
      out.emplace(k, n);
    }
    return true;
  } else {
    return decode_custom(j, out, where, err);  // a struct with its own shape (found by ADL)
  }
}

template <class T>
bool decode_value(const Json& j, std::vector<T>& out, std::string_view where, DecodeError& err) {
  if (!j.is_array()) return decode_fail(err, where, "expected a list");
  out.clear();
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    T e{};
    if (!decode_value(j[i], e, std::string(where) + "[" + std::to_string(i) + "]", err)) return false;
    out.push_back(std::move(e));
  }
  return true;
}

// Decodes a whole struct; the error names the first field that did not fit.
template <class T>
[[nodiscard]] bool from_json_value(const Json& j, T& out, DecodeError& err) {
  return decode_value(j, out, "", err);
}

// ---- names ----------------------------------------------------------------------------------

// The JSON names of T's fields, in declaration order (linkcryptctl's table columns).
template <class T>
  requires HasFields<T>
[[nodiscard]] std::vector<std::string_view> field_names() {
  return std::apply([](const auto&... f) { return std::vector<std::string_view>{f.name...}; },
                    fields_of(std::type_identity<T>{}));
}

}  // namespace linkcrypt::api
