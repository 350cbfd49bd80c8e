// --metrics-listen ADDRESS:PORT: parsed and checked before the EAL starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linkcrypt::metrics {

struct ListenAddress {
  std::string address;  // an IPv4 or IPv6 literal, without brackets
  uint16_t port = 0;
  bool ipv6 = false;
  // "127.0.0.1:9101" or "[::1]:9101", as the HTTP server's listening_ports option takes it.
  [[nodiscard]] std::string bind_text() const;
  // 127.0.0.0/8 or ::1: reachable from this host only (the documented safe choice).
  [[nodiscard]] bool is_loopback() const;
};

// "127.0.0.1:9101", "[::1]:9101", "0.0.0.0:9101". Names are refused (a listener must not depend
// on DNS at start-up), and so are port 0 and anything after the port. nullopt when malformed.
[[nodiscard]] std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace linkcrypt::metrics
