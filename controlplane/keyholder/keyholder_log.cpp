// log_request: one line per use of the long-term key, to stderr.
#include "keyholder_log.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <string>

namespace linkcrypt::keyholder {
namespace {

std::string peer_text(const ike::KeyUseContext& u) {
  if (!u.peer) return "-";
  const auto& d = u.peer->data;
  char buf[INET6_ADDRSTRLEN] = {};
  switch (u.peer->type) {
    case ike::IdType::Ipv4Addr:
      if (d.size() == 4 && inet_ntop(AF_INET, d.data(), buf, sizeof buf)) return buf;
      break;
    case ike::IdType::Ipv6Addr:
      if (d.size() == 16 && inet_ntop(AF_INET6, d.data(), buf, sizeof buf)) return buf;
      break;
    case ike::IdType::Fqdn:
    case ike::IdType::Rfc822Addr: {
      std::string s;
      for (uint8_t c : d) s += (c >= 0x21 && c < 0x7f) ? static_cast<char>(c) : '?';  // a log line stays one line
      return s;
    }
    default: break;
  }
  std::string hex = "id:";
  for (uint8_t c : d) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    hex += buf;
  }
  return hex;
}

}  // namespace

void log_line(std::string_view line) {
  std::string s = "linkcrypt-keyholder[" + std::to_string(getpid()) + "]: ";
  s.append(line);
  s += '\n';
  // One write(2) per line: lines from concurrent writers to the same stderr do not interleave.
  [[maybe_unused]] auto n = write(STDERR_FILENO, s.data(), s.size());
}

void log_request(const Request& q, const ike::KeyResult& result) {
  char spis[64] = "-";
  const bool use = q.type == MsgType::PskAuth || q.type == MsgType::Sign;
  if (use) {
    std::snprintf(spis, sizeof spis, "%016" PRIx64 "/%016" PRIx64, q.use.spi_i, q.use.spi_r);
  }
  std::string line = std::string("request ") + std::string(msg_type_name(q.type));
  if (use) {
    line += q.use.purpose == ike::KeyPurpose::OurAuth ? " purpose=our-auth" : " purpose=verify-peer-auth";
  }
  line += " peer=" + peer_text(q.use) + " spis=" + spis + " result=" + std::string(key_error_name(result.error));
  if (!result.ok() && !result.detail.empty()) line += " (" + result.detail + ")";
  log_line(line);
}

}  // namespace linkcrypt::keyholder
