// `status`: the link at a glance (state, keying, suite) and both ports' links.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

// One port's link as the daemon follows it (docs/control-socket.md, "Ports in status").
struct PortStatus {
  std::string role;                     // "plain" | "wire"
  std::string device;                   // DPDK device argument
  std::optional<std::string> interface; // kernel interface (netlink ports)
  std::string link;                     // "up" | "down" | "unknown"
  uint32_t mtu = 0;
  std::string operstate;                // RFC 2863 name
  bool carrier = false;
  bool admin_up = false;
  std::string source;                   // "netlink" | "ethdev"
  std::optional<uint32_t> if_index;     // netlink ports
  std::optional<uint32_t> speed_mbps;   // ethdev ports
};
constexpr auto fields_of(std::type_identity<PortStatus>) {
  using S = PortStatus;
  return std::tuple{field("role", &S::role), field("device", &S::device),
                    field("interface", &S::interface), field("link", &S::link), field("mtu", &S::mtu),
                    field("operstate", &S::operstate), field("carrier", &S::carrier),
                    field("admin_up", &S::admin_up), field("source", &S::source),
                    field("if_index", &S::if_index), field("speed_mbps", &S::speed_mbps)};
}

struct StatusResult {
  std::string state;                    // keying::link_state_name; manual keys: "secured" | "down"
  bool must_secure = true;
  uint64_t uptime_s = 0;
  std::optional<std::string> suite;     // the active transmit SA's, else what IKE will negotiate
  std::string transport;                // "inband" | "udp" | "manual"
  std::optional<uint8_t> tx_an;
  std::optional<std::string> tx_key_id; // 16 hex digits
  uint64_t rotations = 0;
  std::optional<std::string> peer_id;
  std::string ike_state;                // "manual" with manual keys
  std::optional<std::string> role;      // "initiator" | "responder"; absent with manual keys
  std::vector<PortStatus> ports;        // plain, then wire
  bool keylog = false;
  // RFC 8784: the current IKE SA's keys include a post-quantum preshared key, and its id.
  bool ppk_protected = false;
  std::optional<std::string> ppk_id;                  // --keylog: every SA's keys are written to a file (docs/keylog.md)
  // Why the link is not secured, when the keying controller knows a typed cause (its last
  // failure, keying/failure_hint.h); null when secured, with manual keys, or before a failure.
  std::optional<std::string> failure;        // "AuthenticationFailed", "PeerDead", ...
  std::optional<std::string> failure_hint;   // what to check, the same words as `peer`
  std::optional<uint64_t> failure_s_ago;
};
constexpr auto fields_of(std::type_identity<StatusResult>) {
  using S = StatusResult;
  return std::tuple{field("state", &S::state), field("must_secure", &S::must_secure),
                    field("uptime_s", &S::uptime_s), field("suite", &S::suite),
                    field("transport", &S::transport), field("tx_an", &S::tx_an),
                    field("tx_key_id", &S::tx_key_id), field("rotations", &S::rotations),
                    field("peer_id", &S::peer_id), field("ike_state", &S::ike_state),
                    field("role", &S::role, Absent::kOmitted), field("ports", &S::ports),
                    field("keylog", &S::keylog), field("ppk_protected", &S::ppk_protected),
                    field("ppk_id", &S::ppk_id),
                    field("failure", &S::failure), field("failure_hint", &S::failure_hint),
                    field("failure_s_ago", &S::failure_s_ago)};
}

}  // namespace linkcrypt::api
