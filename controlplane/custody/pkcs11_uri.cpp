// RFC 7512 URI parsing: "pkcs11:" path-attrs (';') ["?" query-attrs ('&')], values percent-encoded.
#include "pkcs11_uri.h"

#include <span>

#include "byte_reader.h"

namespace linkcrypt::custody {
namespace {

constexpr std::string_view kScheme = "pkcs11:";

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 7512 2.3: pk11-pchar / pk11-qchar: unreserved, pk11-res-avail, and "&" in the path,
// "/", "?", "|" in the query; anything else must be percent-encoded.
bool value_char(uint8_t c, bool query) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (std::string_view("-._~:[]@!$'()*+,=").find(static_cast<char>(c)) != std::string_view::npos) return true;
  return query ? (c == '/' || c == '?' || c == '|') : c == '&';
}

// One attribute's octets up to `stop` (or the end), percent-decoded. The separator is left in the reader.
std::string read_value(ByteReader& r, bool query, std::string& error) {
  const uint8_t stop1 = query ? '&' : ';', stop2 = query ? '&' : '?';
  std::string out;
  uint8_t c = 0;
  while (r.peek_u8(c) && c != stop1 && c != stop2) {
    if (!r.read_u8(c)) break;
    if (c == '%') {
      uint8_t h = 0, l = 0;
      if (!r.read_u8(h) || !r.read_u8(l) || hex_value(h) < 0 || hex_value(l) < 0) {
        error = "a '%' is not followed by two hex digits";
        return {};
      }
      c = static_cast<uint8_t>(hex_value(h) << 4 | hex_value(l));
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (!value_char(c, query)) {
      error = "an octet that must be percent-encoded appears as is";
      return {};
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string read_name(ByteReader& r) {
  std::string out;
  uint8_t c = 0;
  while (r.peek_u8(c) && c != '=' && c != ';' && c != '&' && c != '?') {
    if (!r.read_u8(c)) break;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

template <typename T>
std::string set_once(std::optional<T>& slot, T value, const std::string& name) {
  if (slot) return "attribute '" + name + "' appears twice";
  slot = std::move(value);
  return {};
}

std::string set_path_attr(const std::string& name, std::string value, Pkcs11Uri& out) {
  if (name == "token") return set_once(out.token, std::move(value), name);
  if (name == "manufacturer") return set_once(out.manufacturer, std::move(value), name);
  if (name == "serial") return set_once(out.serial, std::move(value), name);
  if (name == "model") return set_once(out.model, std::move(value), name);
  if (name == "object") return set_once(out.object, std::move(value), name);
  if (name == "id") return set_once(out.id, std::vector<uint8_t>(value.begin(), value.end()), name);
  if (name == "type") {
    if (value != "private" && value != "secret-key" && value != "public" && value != "cert" && value != "data")
      return "type must be private, secret-key, public, cert or data";
    return set_once(out.type, std::move(value), name);
  }
  if (name == "slot-id") {
    if (value.empty() || value.size() > 19) return "slot-id must be a decimal number";
    uint64_t v = 0;
    for (char ch : value) {
      if (ch < '0' || ch > '9') return "slot-id must be a decimal number";
      v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    return set_once(out.slot_id, v, name);
  }
  // Attributes that only narrow the library or slot: accepted, not needed to find a key.
  if (name == "library-manufacturer" || name == "library-description" || name == "library-version" ||
      name == "slot-description" || name == "slot-manufacturer")
    return {};
  if (name.rfind("x-", 0) == 0) return {};  // vendor-specific (RFC 7512 2.3)
  return "unknown path attribute '" + name + "'";
}

std::string set_query_attr(const std::string& name, std::string value, Pkcs11Uri& out) {
  if (name == "module-path") return set_once(out.module_path, std::move(value), name);
  if (name == "module-name") return set_once(out.module_name, std::move(value), name);
  if (name == "pin-source") return set_once(out.pin_source, std::move(value), name);
  if (name == "pin-value") return set_once(out.pin_value, std::move(value), name);
  if (name.rfind("x-", 0) == 0) return {};
  return "unknown query attribute '" + name + "'";
}

bool name_ok(const std::string& n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void append_encoded(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : v) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

std::string parse_pkcs11_uri(std::string_view text, Pkcs11Uri& out) {
  out = Pkcs11Uri{};
  if (text.size() > kMaxPkcs11UriLen) return "PKCS#11 URI longer than 4096 octets";
  ByteReader r(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::span<const uint8_t> scheme;
  if (!r.read_bytes(kScheme.size(), scheme) ||
      std::string_view(reinterpret_cast<const char*>(scheme.data()), scheme.size()) != kScheme)
    return "a PKCS#11 URI starts with 'pkcs11:' (RFC 7512)";
  bool query = false;
  while (!r.empty()) {
    uint8_t c = 0;
    if (!r.peek_u8(c)) break;
    if (c == '?') {
      if (query) return "a second '?' in the URI";
      query = true;
      (void)r.read_u8(c);
      continue;
    }
    if (c == ';' || c == '&') {
      if ((c == ';') == query) return query ? "';' in the query part: separate query attributes with '&'"
                                            : "'&' in the path part: separate path attributes with ';'";
      (void)r.read_u8(c);
      continue;
    }
    const std::string name = read_name(r);
    if (!name_ok(name)) return "an attribute without a name, or a name with other than letters, digits and '-'";
    if (!r.read_u8(c) || c != '=') return "attribute '" + name + "' has no '=value'";
    std::string error;
    std::string value = read_value(r, query, error);
    if (!error.empty()) return "attribute '" + name + "': " + error;
    if (value.find('\0') != std::string::npos && name != "id") return "attribute '" + name + "' holds a NUL octet";
    error = query ? set_query_attr(name, std::move(value), out) : set_path_attr(name, std::move(value), out);
    if (!error.empty()) return error;
  }
  return {};
}

std::string redacted_uri(const Pkcs11Uri& u) {
  std::string out = "pkcs11:";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out.push_back(';');
    first = false;
    out.append(name);
    out.push_back('=');
    append_encoded(out, value);
  };
  if (u.token) add("token", *u.token);
  if (u.manufacturer) add("manufacturer", *u.manufacturer);
  if (u.serial) add("serial", *u.serial);
  if (u.model) add("model", *u.model);
  if (u.slot_id) add("slot-id", std::to_string(*u.slot_id));
  if (u.object) add("object", *u.object);
  if (u.id) add("id", std::string_view(reinterpret_cast<const char*>(u.id->data()), u.id->size()));
  if (u.type) add("type", *u.type);
  return out;
}

}  // namespace linkcrypt::custody
