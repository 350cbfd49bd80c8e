// The daemon's control socket: a Unix stream socket (mode 0660) serving newline-delimited JSON.
// Event-loop agnostic: the owner calls service() from its loop; nothing here blocks, and each
// call does bounded work per client (docs/control-socket.md, "Abuse limits").
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/protocol.h"
#include "unique_fd.h"

namespace linkcrypt::control {

using api::ErrorCode;
using api::Request;

struct Reply {
  bool ok = true;
  api::Json result;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Reply success(api::Json r) { return Reply{true, std::move(r), ErrorCode::kInternal, {}}; }
  static Reply failure(ErrorCode c, std::string m) { return Reply{false, {}, c, std::move(m)}; }
};

using Handler = std::function<Reply(const Request&)>;

struct ControlServerStats {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;             // requests answered with ok=false
  uint64_t rejected_clients = 0;   // over kMaxClients (answered `unavailable`, then closed)
  uint64_t dropped_slow_clients = 0;  // replies not drained: over the hard cap or stuck too long
  uint64_t idle_timeouts = 0;      // closed after idle_timeout without a request
  uint64_t permission_denied = 0;  // state-changing command from a client that is not an admin
};

// Tunables; the defaults are the documented ones (docs/control-socket.md).
struct ControlServerLimits {
  std::chrono::milliseconds idle_timeout{30000};   // no request for this long: closed
  std::chrono::milliseconds stuck_timeout{5000};   // replies queued, none drained this long: dropped
  size_t out_low_cap = 256 * 1024;                 // above: the client's requests are not read
  size_t out_hard_cap = 2 * api::kMaxResponseLen;       // a reply that would queue beyond: dropped
  size_t max_requests_per_tick = 8;                // per client per service() call
};

class ControlServer {
 public:
  static constexpr size_t kMaxClients = 16;  // the last slot is kept for root (uid 0)

  // Binds `path`. Refuses (with a message in `error`) when another daemon is listening there or
  // the path exists and is not a socket; removes a stale socket left by a dead daemon.
  static std::unique_ptr<ControlServer> open(const std::string& path, Handler handler,
                                             std::string& error);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void set_limits(const ControlServerLimits& l) { limits_ = l; }
  // Commands that change state: only root (SO_PEERCRED uid 0) or members of admin_gid may run
  // them; everyone else gets `permission_denied`. Read-only commands are open to anyone who can
  // connect (the socket's mode and group decide that).
  void set_state_changing(std::set<std::string> cmds) { state_changing_ = std::move(cmds); }
  void set_admin_gid(std::optional<gid_t> gid) { admin_gid_ = gid; }

  // Accepts, reads, answers and flushes whatever is ready; waits at most timeout_ms.
  void service(int timeout_ms);

  [[nodiscard]] const ControlServerStats& stats() const { return stats_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] size_t client_count() const { return clients_.size(); }
  // Octets held for all clients (requests read, replies queued): bounded by the limits.
  [[nodiscard]] size_t buffered_len() const {
    size_t n = 0;
    for (const auto& c : clients_) n += c->in.size() + c->out.size();
    return n;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Client {
    UniqueFd fd;
    std::string in;
    std::string out;
    bool close_after_flush = false;
    bool admin = false;              // root or in the admin group (decided once, at accept)
    bool root = false;
    Clock::time_point last_request;  // idle timeout
    Clock::time_point last_drained;  // stuck timeout: last time the queue shrank or was empty
  };

  ControlServer(std::string path, UniqueFd listen_fd, Handler handler);
  void accept_clients();
  void read_client(Client& c);
  void process_input(Client& c);
  void write_client(Client& c);
  void check_timeouts(Client& c, Clock::time_point now);
  void answer(Client& c, std::string_view line);
  void queue(Client& c, std::string text);
  [[nodiscard]] bool wants_input(const Client& c) const;
  [[nodiscard]] bool is_admin(int fd, bool& root) const;

  std::string path_;
  UniqueFd listen_fd_;
  Handler handler_;
  ControlServerLimits limits_;
  std::set<std::string> state_changing_;
  std::optional<gid_t> admin_gid_;
  std::vector<std::unique_ptr<Client>> clients_;
  ControlServerStats stats_;
};

}  // namespace linkcrypt::control
