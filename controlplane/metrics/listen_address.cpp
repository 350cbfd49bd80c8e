// parse_listen_address: ADDRESS:PORT with an IPv4 literal or a bracketed IPv6 literal.
#include "listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace linkcrypt::metrics {

std::string ListenAddress::bind_text() const {
  const std::string host = ipv6 ? "[" + address + "]" : address;
  return host + ":" + std::to_string(port);
}

bool ListenAddress::is_loopback() const {
  return ipv6 ? address == "::1" : address.rfind("127.", 0) == 0;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    out.ipv6 = true;
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  out.address = std::string(host);
  unsigned char buf[16];
  if (inet_pton(out.ipv6 ? AF_INET6 : AF_INET, out.address.c_str(), buf) != 1) return std::nullopt;
  // from_chars takes no sign or spaces; the whole rest must be the number.
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value, 10);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
  if (value == 0 || value > 65535) return std::nullopt;
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace linkcrypt::metrics
