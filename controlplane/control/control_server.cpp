// The daemon's control socket: a Unix stream socket (mode 0660) serving newline-delimited JSON.
#include "control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace linkcrypt::control {

namespace {

bool make_address(const std::string& path, sockaddr_un& addr, std::string& error) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    error = "control socket path '" + path + "' is empty or longer than " +
            std::to_string(sizeof addr.sun_path - 1) + " characters";
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// A daemon that died leaves its socket file behind; a live one answers connect().
bool remove_stale_socket(const std::string& path, const sockaddr_un& addr, std::string& error) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return true;  // nothing there
  if (!S_ISSOCK(st.st_mode)) {
    error = "control socket path '" + path + "' exists and is not a socket; remove it or pick another path";
    return false;
  }
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.valid() &&
      ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    error = "another linkcryptd is already listening on '" + path + "'";
    return false;
  }
  if (::unlink(path.c_str()) != 0) {
    error = "cannot remove stale control socket '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<ControlServer> ControlServer::open(const std::string& path, Handler handler,
                                                   std::string& error) {
  sockaddr_un addr{};
  if (!make_address(path, addr, error)) return nullptr;
  if (!remove_stale_socket(path, addr, error)) return nullptr;
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    error = std::string("socket(AF_UNIX): ") + std::strerror(errno);
    return nullptr;
  }
  // Create the socket file as 0660 from the start: no window in which others may connect.
  mode_t old_mask = ::umask(0117);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  ::umask(old_mask);
  if (rc != 0) {
    error = "cannot bind control socket '" + path + "': " + std::strerror(bind_errno);
    return nullptr;
  }
  if (::chmod(path.c_str(), 0660) != 0 || ::listen(fd.get(), 8) != 0) {
    error = "cannot set up control socket '" + path + "': " + std::strerror(errno);
    ::unlink(path.c_str());
    return nullptr;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(path, std::move(fd), std::move(handler)));
}

ControlServer::ControlServer(std::string path, UniqueFd listen_fd, Handler handler)
    : path_(std::move(path)), listen_fd_(std::move(listen_fd)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  clients_.clear();
  listen_fd_.reset();
  ::unlink(path_.c_str());
}

void ControlServer::service(int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(clients_.size() + 1);
  fds.push_back({listen_fd_.get(), POLLIN, 0});
  for (const auto& c : clients_) {
    short events = c->close_after_flush ? 0 : POLLIN;
    if (!c->out.empty()) events |= POLLOUT;
    fds.push_back({c->fd.get(), events, 0});
  }
  if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
  for (size_t i = 1; i < fds.size(); ++i) {
    Client& c = *clients_[i - 1];
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_client(c);
    if (c.fd.valid() && !c.out.empty()) write_client(c);
    if (c.fd.valid() && c.close_after_flush && c.out.empty()) c.fd.reset();
  }
  std::erase_if(clients_, [](const auto& c) { return !c->fd.valid(); });
  if (fds[0].revents & POLLIN) accept_clients();
}

void ControlServer::accept_clients() {
  for (;;) {
    UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) return;  // EAGAIN: none left (other errors: the client is gone)
    ++stats_.connections;
    if (clients_.size() >= kMaxClients) {
      ++stats_.rejected_clients;
      std::string busy = build_error(ErrorCode::kUnavailable, "too many control clients; try again");
      (void)::send(fd.get(), busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = std::move(fd);
    clients_.push_back(std::move(c));
  }
}

void ControlServer::read_client(Client& c) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) {  // peer closed: answer nothing more, drop what is unsent
      c.fd.reset();
      return;
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.fd.reset();
      return;
    }
    c.in.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = c.in.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(c.in.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) answer(c, line);
      if (c.close_after_flush) break;
    }
    c.in.erase(0, start);
    if (c.in.size() > kMaxRequestLen && !c.close_after_flush) {
      // No newline within the limit: say why, then hang up (the rest of the line is unusable).
      ++stats_.errors;
      c.out += build_error(ErrorCode::kTooLarge,
                           "request exceeds " + std::to_string(kMaxRequestLen) + " octets");
      c.in.clear();
      c.close_after_flush = true;
    }
    if (c.close_after_flush) return;
  }
}

void ControlServer::answer(Client& c, std::string_view line) {
  ++stats_.requests;
  ParsedRequest parsed = parse_request(line);
  if (parsed.error) {
    ++stats_.errors;
    c.out += build_error(parsed.error->code, parsed.error->message);
    return;
  }
  Reply reply = handler_(*parsed.request);
  if (!reply.ok) {
    ++stats_.errors;
    c.out += build_error(reply.code, reply.message);
    return;
  }
  std::string text = build_ok(std::move(reply.result));
  if (text.size() > kMaxResponseLen) {
    ++stats_.errors;
    c.out += build_error(ErrorCode::kInternal, "response too large");
    return;
  }
  c.out += text;
}

void ControlServer::write_client(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      c.fd.reset();
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  // A client that never reads must not grow our memory without bound.
  if (c.out.size() > 2 * kMaxResponseLen) {
    ++stats_.dropped_slow_clients;
    c.fd.reset();
  }
}

}  // namespace linkcrypt::control
