// telemetry_status / telemetry_sa: the control socket's result structs (api/), field by field
// through their field lists, in the shape DPDK telemetry can encode.
#include "telemetry_snapshot.h"

#include <limits>

namespace linkcrypt::daemon {
namespace {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

template <class T>
void add_scalar(std::vector<TelemetryField>& out, std::string_view name, const T& v) {
  if constexpr (IsOptional<T>::value) {
    if (v) add_scalar(out, name, *v);  // null on the control socket: absent here
  } else if constexpr (std::is_same_v<T, bool>) {
    out.push_back({std::string(name), uint64_t{v}});
  } else if constexpr (std::is_integral_v<T>) {
    static_assert(std::is_unsigned_v<T>, "telemetry carries unsigned integers only");
    out.push_back({std::string(name), static_cast<uint64_t>(v)});
  } else if constexpr (std::is_same_v<T, double>) {
    // Whole units, saturated: a rate below 1 PN/s makes the time to exhaustion overflow u64.
    if (!std::isfinite(v) || v < 0) return;
    constexpr double kMax = 18446744073709549568.0;  // the largest double below 2^64
    out.push_back({std::string(name), v >= kMax ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(v)});
  } else {
    static_assert(std::is_same_v<T, std::string>, "a scalar the telemetry reply cannot carry");
    out.push_back({std::string(name), v});
  }
}

// Every scalar member of S, in its field list's order. Lists (status' ports) are the caller's.
template <class S>
std::vector<TelemetryField> scalar_fields(const S& s) {
  std::vector<TelemetryField> out;
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& field) {
          const auto& v = s.*(field.member);
          if constexpr (!IsVector<std::decay_t<decltype(v)>>::value) add_scalar(out, field.name, v);
        };
        (one(f), ...);
      },
      fields_of(std::type_identity<S>{}));
  return out;
}

}  // namespace

TelemetryReply telemetry_status(const api::StatusResult& s, uint16_t plain_port_id, uint16_t wire_port_id) {
  TelemetryReply r{scalar_fields(s), {}};
  for (const auto& p : s.ports) {
    TelemetryGroup g{p.role, {}};
    // port_id is what /ethdev/stats,<id> and dpdk-dumpcap -i take.
    g.fields.push_back({"port_id", uint64_t{p.role == "wire" ? wire_port_id : plain_port_id}});
    for (auto& f : scalar_fields(p)) g.fields.push_back(std::move(f));
    r.groups.push_back(std::move(g));
  }
  return r;
}

TelemetryReply telemetry_sa(const api::SaResult& s) {
  TelemetryReply r;
  r.fields.push_back({"count", uint64_t{s.sas.size()}});
  for (const auto& row : s.sas) {
    std::string name = row.direction == "tx" ? "tx_an" : "rx_" + row.sci + "_an";
    name += std::to_string(row.an);
    r.groups.push_back({std::move(name), scalar_fields(row)});
  }
  return r;
}

}  // namespace linkcrypt::daemon
