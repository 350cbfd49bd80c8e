// Client side of the control socket: one request, one response line (used by linkcryptctl).
#include "api/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "unique_fd.h"

namespace linkcrypt::api {

ClientResult call(const std::string& socket_path, const std::string& request_line, int timeout_ms) {
  ClientResult r;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    r.error = "socket path '" + socket_path + "' is empty or too long";
    return r;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    r.error = std::string("socket: ") + std::strerror(errno);
    return r;
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    if (e == ENOENT || e == ECONNREFUSED) {
      r.error = "linkcryptd is not running (no listener on " + socket_path +
                "); start it, or pass --socket PATH if it uses another control socket";
    } else if (e == EACCES || e == EPERM) {
      r.error = "permission denied on " + socket_path +
                ": run as root or as a member of the socket's group";
    } else {
      r.error = "cannot connect to " + socket_path + ": " + std::strerror(e);
    }
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  size_t sent = 0;
  while (sent < request_line.size()) {
    ssize_t n = ::send(fd.get(), request_line.data() + sent, request_line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = std::string("sending the request failed: ") + std::strerror(errno);
      return r;
    }
    sent += static_cast<size_t>(n);
  }
  std::string in;
  for (;;) {
    size_t nl = in.find('\n');
    if (nl != std::string::npos) {
      std::string why;
      r.response = parse_response(std::string_view(in).substr(0, nl), why);
      if (!r.response) r.error = why;
      return r;
    }
    if (in.size() > kMaxResponseLen) {
      r.error = "response from linkcryptd is too large";
      return r;
    }
    pollfd p{fd.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, remaining_ms());
    if (ready == 0) {
      r.error = "linkcryptd did not answer within " + std::to_string(timeout_ms) + " ms";
      return r;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      r.error = std::string("poll: ") + std::strerror(errno);
      return r;
    }
    char buf[8192];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n == 0) {
      r.error = "linkcryptd closed the connection without answering";
      return r;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = std::string("reading the response failed: ") + std::strerror(errno);
      return r;
    }
    in.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace linkcrypt::api
