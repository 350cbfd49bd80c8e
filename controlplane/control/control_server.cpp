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
#include <fstream>
#include <sstream>

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
  if (::chmod(path.c_str(), 0660) != 0 || ::listen(fd.get(), 64) != 0) {
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

namespace {

bool has_line(const std::string& in) { return in.find('\n') != std::string::npos; }

// The supplementary groups of a connected process, from /proc (local and non-blocking, unlike
// NSS lookups); SO_PEERCRED only carries the primary group. The real uid there must still be the
// connecting one, so a recycled pid cannot lend another process's groups.
bool proc_has_group(pid_t pid, uid_t uid, gid_t gid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  bool uid_matches = false;
  while (std::getline(f, line)) {
    std::istringstream words(line.substr(line.find(':') == std::string::npos ? line.size() : line.find(':') + 1));
    if (line.rfind("Uid:", 0) == 0) {
      unsigned long u;
      uid_matches = (words >> u) && u == uid;
    } else if (line.rfind("Groups:", 0) == 0) {
      if (!uid_matches) return false;  // Uid: precedes Groups: in /proc/PID/status
      unsigned long g;
      while (words >> g) {
        if (g == gid) return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

bool ControlServer::is_admin(int fd, bool& root) const {
  ucred cred{};
  socklen_t len = sizeof cred;
  root = false;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  root = cred.uid == 0;
  if (root) return true;
  if (!admin_gid_) return false;
  return cred.gid == *admin_gid_ || proc_has_group(cred.pid, cred.uid, *admin_gid_);
}

bool ControlServer::wants_input(const Client& c) const {
  // Back-pressure: a client whose replies are not drained is not read (its requests wait in the
  // kernel's socket buffer, which is bounded), and neither is one with a request still queued.
  return c.fd.valid() && !c.close_after_flush && c.out.size() < limits_.out_low_cap && !has_line(c.in);
}

void ControlServer::service(int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(clients_.size() + 1);
  fds.push_back({listen_fd_.get(), POLLIN, 0});
  for (const auto& c : clients_) {
    short events = wants_input(*c) ? POLLIN : 0;
    if (!c->out.empty()) events |= POLLOUT;
    // Requests left over from the previous call (the per-tick bound): do not sleep on them.
    if (has_line(c->in) && c->out.size() < limits_.out_low_cap) timeout_ms = 0;
    fds.push_back({c->fd.get(), events, 0});
  }
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  const auto now = Clock::now();
  for (size_t i = 1; i < fds.size(); ++i) {
    Client& c = *clients_[i - 1];
    if (ready > 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && wants_input(c)) read_client(c);
    if (c.fd.valid()) process_input(c);
    if (c.fd.valid() && !c.out.empty()) write_client(c);
    if (c.fd.valid() && c.close_after_flush && c.out.empty()) c.fd.reset();
    if (c.fd.valid()) check_timeouts(c, now);
  }
  std::erase_if(clients_, [](const auto& c) { return !c->fd.valid(); });
  if (ready > 0 && (fds[0].revents & POLLIN)) accept_clients();
}

void ControlServer::accept_clients() {
  // Bounded per call: a connect storm cannot hold the event loop.
  for (int i = 0; i < 32; ++i) {
    UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) return;  // EAGAIN: none left (other errors: the client is gone)
    ++stats_.connections;
    bool root = false;
    const bool admin = is_admin(fd.get(), root);
    // The last slot is kept for root, so that idle or hostile group members cannot lock the
    // operator out.
    const size_t limit = root ? kMaxClients : kMaxClients - 1;
    if (clients_.size() >= limit) {
      ++stats_.rejected_clients;
      std::string busy = api::build_error(
          ErrorCode::kUnavailable, "too many control clients (" + std::to_string(kMaxClients) +
                                       ", the last kept for root); try again later");
      (void)::send(fd.get(), busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = std::move(fd);
    c->admin = admin;
    c->root = root;
    c->last_request = c->last_drained = Clock::now();
    clients_.push_back(std::move(c));
  }
}

void ControlServer::read_client(Client& c) {
  char buf[16384];
  // A few reads at most: enough for one maximal request line, never an unbounded loop.
  for (int i = 0; i < 5 && !has_line(c.in); ++i) {
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
    if (c.in.size() > api::kMaxRequestLen) break;
  }
}

void ControlServer::process_input(Client& c) {
  size_t start = 0;
  size_t answered = 0;
  for (size_t nl; answered < limits_.max_requests_per_tick && c.fd.valid() && !c.close_after_flush &&
                  c.out.size() < limits_.out_low_cap && (nl = c.in.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    std::string_view line(c.in.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      answer(c, line);
      ++answered;
    }
  }
  if (!c.fd.valid()) return;
  c.in.erase(0, start);
  if (!has_line(c.in) && c.in.size() > api::kMaxRequestLen && !c.close_after_flush) {
    // No newline within the limit: say why, then hang up (the rest of the line is unusable).
    ++stats_.errors;
    c.in.clear();
    queue(c, api::build_error(ErrorCode::kTooLarge, "request exceeds " + std::to_string(api::kMaxRequestLen) + " octets"));
    c.close_after_flush = true;
  }
}

void ControlServer::queue(Client& c, std::string text) {
  // The cap is checked when a reply is queued: memory stays bounded whatever the client does.
  if (c.out.size() + text.size() > limits_.out_hard_cap) {
    ++stats_.dropped_slow_clients;
    c.fd.reset();
    return;
  }
  c.out += text;
}

void ControlServer::answer(Client& c, std::string_view line) {
  ++stats_.requests;
  c.last_request = Clock::now();
  api::ParsedRequest parsed = api::parse_request(line);
  if (parsed.error) {
    ++stats_.errors;
    queue(c, api::build_error(parsed.error->code, parsed.error->message));
    return;
  }
  if (!c.admin && state_changing_.count(parsed.request->cmd)) {
    ++stats_.errors;
    ++stats_.permission_denied;
    queue(c, api::build_error(ErrorCode::kPermissionDenied,
                         "'" + parsed.request->cmd +
                             "' changes state: it needs root or the control-admin-group; read-only commands are open"));
    return;
  }
  Reply reply = handler_(*parsed.request);
  if (!reply.ok) {
    ++stats_.errors;
    queue(c, api::build_error(reply.code, reply.message));
    return;
  }
  std::string text = api::build_ok(reply.result);
  if (text.size() > api::kMaxResponseLen) {
    ++stats_.errors;
    queue(c, api::build_error(ErrorCode::kInternal, "response too large"));
    return;
  }
  queue(c, std::move(text));
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
    if (n > 0) c.last_drained = Clock::now();
  }
}

void ControlServer::check_timeouts(Client& c, Clock::time_point now) {
  if (c.out.empty()) {
    c.last_drained = now;
  } else if (now - c.last_drained > limits_.stuck_timeout) {
    // Replies queued and nothing taken for that long: the client is not reading.
    ++stats_.dropped_slow_clients;
    c.fd.reset();
    return;
  }
  // A partial request line does not count as activity: a client trickling bytes is idle too.
  if (c.out.empty() && !has_line(c.in) && now - c.last_request > limits_.idle_timeout) {
    ++stats_.idle_timeouts;
    std::string bye = api::build_error(ErrorCode::kUnavailable, "idle for " +
                                      std::to_string(limits_.idle_timeout.count() / 1000) +
                                      " s without a request: closing");
    (void)::send(c.fd.get(), bye.data(), bye.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    c.fd.reset();
  }
}

}  // namespace linkcrypt::control
