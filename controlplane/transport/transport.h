// The interface every IKE transport (in-band Ethernet, UDP) offers the keying controller.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ike_session.h"

namespace linkcrypt::transport {

// One IKE message as received, framing already removed.
struct InboundMessage {
  std::vector<uint8_t> ike;
  ike::Endpoint from;  // UDP: the sender (NAT detection, cookies); in-band: its source MAC, port 0 (cookies)
};

using CounterList = std::vector<std::pair<std::string, uint64_t>>;

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one IKE message; failures are counted, never thrown (IKE retransmits, RFC 7296 2.1).
  virtual void send(const ike::Datagram& d) = 0;
  // Appends at most `max` received IKE messages to `out`; returns how many.
  virtual size_t receive(std::vector<InboundMessage>& out, size_t max) = 0;
  // The address IKE reports in NAT detection for us / the peer (in-band: none).
  [[nodiscard]] virtual ike::Endpoint local_endpoint() const { return {}; }
  [[nodiscard]] virtual ike::Endpoint peer_endpoint() const { return {}; }
  // A file descriptor the event loop may poll for input, or -1 (in-band is polled each tick).
  [[nodiscard]] virtual int poll_fd() const { return -1; }
  [[nodiscard]] virtual std::string_view name() const = 0;  // "inband" | "udp" | ...
  // Named drop/traffic counters (every drop counted).
  [[nodiscard]] virtual CounterList counters() const = 0;
};

}  // namespace linkcrypt::transport
