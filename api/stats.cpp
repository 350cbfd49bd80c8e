// RxScStats: the SCI beside the SC's counters in one flat object.
#include "api/stats.h"

namespace linkcrypt::api {

void encode_custom(Json& j, const RxScStats& v) {
  encode_value(j, v.counters);
  j["sci"] = v.sci;
}

bool decode_custom(const Json& j, RxScStats& out, std::string_view where, DecodeError& err) {
  if (!j.is_object()) return decode_fail(err, where, "expected an object");
  out.counters.clear();
  for (const auto& [k, c] : j.items()) {
    const std::string path = std::string(where) + "." + k;
    if (k == "sci") {
      if (!decode_value(c, out.sci, path, err)) return false;
    } else {
      uint64_t n = 0;
      if (!decode_value(c, n, path, err)) return false;
      out.counters.emplace(k, n);
    }
  }
  if (!j.contains("sci")) return decode_fail(err, std::string(where) + ".sci", "missing");
  return true;
}

}  // namespace linkcrypt::api
