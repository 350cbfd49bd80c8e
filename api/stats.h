// `stats`: every counter. SecY, dataplane and port counters keep the names their owners give
// them (secy::visit_counters, dpdk::visit_counters: IEEE8021-SECY-MIB style); the IKE and
// control-socket groups are fields here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

// A receive SC's counters with its SCI, flat in one object: {"sci":"...","InPktsOK":...}.
struct RxScStats {
  std::string sci;
  CounterMap counters;
};
void encode_custom(Json& j, const RxScStats& v);
bool decode_custom(const Json& j, RxScStats& out, std::string_view where, DecodeError& err);

struct PortCounters {
  CounterMap plain;
  CounterMap wire;
};
constexpr auto fields_of(std::type_identity<PortCounters>) {
  return std::tuple{field("plain", &PortCounters::plain), field("wire", &PortCounters::wire)};
}

// ike::Session's counters.
struct IkeSessionCounters {
  uint64_t rx_messages = 0;
  uint64_t rx_malformed = 0;
  uint64_t rx_decrypt_failed = 0;
  uint64_t rx_unexpected = 0;
  uint64_t rx_invalid = 0;
  uint64_t rx_retransmits = 0;
  uint64_t tx_retransmits = 0;
  uint64_t rx_untrusted_notify = 0;  // unauthenticated IKE_SA_INIT notifies absorbed (RFC 7296 2.21.1)
};
constexpr auto fields_of(std::type_identity<IkeSessionCounters>) {
  using S = IkeSessionCounters;
  return std::tuple{field("rx_messages", &S::rx_messages), field("rx_malformed", &S::rx_malformed),
                    field("rx_decrypt_failed", &S::rx_decrypt_failed), field("rx_unexpected", &S::rx_unexpected),
                    field("rx_invalid", &S::rx_invalid), field("rx_retransmits", &S::rx_retransmits),
                    field("tx_retransmits", &S::tx_retransmits),
                    field("rx_untrusted_notify", &S::rx_untrusted_notify)};
}

// The IKE responder's half-open and cookie counters.
struct IkeResponderCounters {
  uint64_t accepted = 0;
  uint64_t cookies_sent = 0;
  uint64_t cookie_invalid = 0;
  uint64_t malformed = 0;
  uint64_t over_limit = 0;
  uint64_t rejected = 0;
};
constexpr auto fields_of(std::type_identity<IkeResponderCounters>) {
  using S = IkeResponderCounters;
  return std::tuple{field("accepted", &S::accepted), field("cookies_sent", &S::cookies_sent),
                    field("cookie_invalid", &S::cookie_invalid), field("malformed", &S::malformed),
                    field("over_limit", &S::over_limit), field("rejected", &S::rejected)};
}

// The keying controller's counters.
struct KeyingCounters {
  uint64_t rx_messages = 0;
  uint64_t rx_unparsable = 0;
  uint64_t rx_unrouted = 0;
  uint64_t candidates_dropped = 0;
  uint64_t connects = 0;
  uint64_t established = 0;
  uint64_t links_lost = 0;
  uint64_t rotations_abandoned = 0;
  uint64_t tx_switch_timeouts = 0;
  uint64_t untrusted_notifies = 0;
};
constexpr auto fields_of(std::type_identity<KeyingCounters>) {
  using S = KeyingCounters;
  return std::tuple{field("rx_messages", &S::rx_messages), field("rx_unparsable", &S::rx_unparsable),
                    field("rx_unrouted", &S::rx_unrouted), field("candidates_dropped", &S::candidates_dropped),
                    field("connects", &S::connects), field("established", &S::established),
                    field("links_lost", &S::links_lost), field("rotations_abandoned", &S::rotations_abandoned),
                    field("tx_switch_timeouts", &S::tx_switch_timeouts),
                    field("untrusted_notifies", &S::untrusted_notifies)};
}

struct IkeStats {
  IkeSessionCounters session;
  std::optional<IkeResponderCounters> responder;  // absent before a responder exists
  KeyingCounters keying;
  CounterMap transport;                           // the transport's own counter names
};
constexpr auto fields_of(std::type_identity<IkeStats>) {
  using S = IkeStats;
  return std::tuple{field("session", &S::session), field("responder", &S::responder, Absent::kOmitted),
                    field("keying", &S::keying), field("transport", &S::transport)};
}

// The control socket's own counters (docs/control-socket.md, "Abuse limits").
struct ControlCounters {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t rejected_clients = 0;
  uint64_t dropped_slow_clients = 0;
  uint64_t idle_timeouts = 0;
  uint64_t permission_denied = 0;
};
constexpr auto fields_of(std::type_identity<ControlCounters>) {
  using S = ControlCounters;
  return std::tuple{field("connections", &S::connections), field("requests", &S::requests),
                    field("errors", &S::errors), field("rejected_clients", &S::rejected_clients),
                    field("dropped_slow_clients", &S::dropped_slow_clients),
                    field("idle_timeouts", &S::idle_timeouts), field("permission_denied", &S::permission_denied)};
}

struct StatsResult {
  CounterMap secy;                      // per-SecY counters (802.1AE 10.7.*)
  CounterMap tx_sc;                     // the transmit SC, every SA ever installed summed
  std::vector<RxScStats> rx_sc;
  CounterMap dataplane;                 // worker and link counters, and DropsTotal
  PortCounters ports;                   // what the PMDs lost or refused
  std::optional<IkeStats> ike;          // absent with manual keys
  std::optional<ControlCounters> control;
};
constexpr auto fields_of(std::type_identity<StatsResult>) {
  using S = StatsResult;
  return std::tuple{field("secy", &S::secy), field("tx_sc", &S::tx_sc), field("rx_sc", &S::rx_sc),
                    field("dataplane", &S::dataplane), field("ports", &S::ports),
                    field("ike", &S::ike, Absent::kOmitted), field("control", &S::control, Absent::kOmitted)};
}

}  // namespace linkcrypt::api
