// The daemon's control socket: a Unix stream socket (mode 0660) serving newline-delimited JSON.
// Event-loop agnostic: the owner calls service() from its loop; nothing here blocks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control_protocol.h"
#include "unique_fd.h"

namespace linkcrypt::control {

struct Reply {
  bool ok = true;
  json::Value result;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Reply success(json::Value r) { return Reply{true, std::move(r), ErrorCode::kInternal, {}}; }
  static Reply failure(ErrorCode c, std::string m) { return Reply{false, {}, c, std::move(m)}; }
};

using Handler = std::function<Reply(const Request&)>;

struct ControlServerStats {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;             // requests answered with ok=false
  uint64_t rejected_clients = 0;   // over kMaxClients
  uint64_t dropped_slow_clients = 0;
};

class ControlServer {
 public:
  static constexpr size_t kMaxClients = 16;

  // Binds `path`. Refuses (with a message in `error`) when another daemon is listening there or
  // the path exists and is not a socket; removes a stale socket left by a dead daemon.
  static std::unique_ptr<ControlServer> open(const std::string& path, Handler handler,
                                             std::string& error);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Accepts, reads, answers and flushes whatever is ready; waits at most timeout_ms.
  void service(int timeout_ms);

  [[nodiscard]] const ControlServerStats& stats() const { return stats_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct Client {
    UniqueFd fd;
    std::string in;
    std::string out;
    bool close_after_flush = false;
  };

  ControlServer(std::string path, UniqueFd listen_fd, Handler handler);
  void accept_clients();
  void read_client(Client& c);
  void write_client(Client& c);
  void answer(Client& c, std::string_view line);

  std::string path_;
  UniqueFd listen_fd_;
  Handler handler_;
  std::vector<std::unique_ptr<Client>> clients_;
  ControlServerStats stats_;
};

}  // namespace linkcrypt::control
