// Control socket over a real Unix socket: answers, JSON errors for bad requests, limits, 0660,
// and the abuse limits: bounded queues, back-pressure, timeouts, the root slot, permissions.
#include "api/client.h"
#include "control_server.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <chrono>
#include <functional>
#include <grp.h>
#include <thread>

namespace linkcrypt::control {
namespace {

using api::build_request;
using api::call;
using api::kMaxRequestLen;
using api::kProtocolVersion;
using Json = api::Json;

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lc-ctl-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ctl.sock";
    std::string error;
    server_ = ControlServer::open(path_, [](const Request& r) { return handle(r); }, error);
    ASSERT_NE(server_, nullptr) << error;
  }
  void TearDown() override {
    stop_ = true;
    if (pump_.joinable()) pump_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Reply handle(const Request& r) {
    if (r.cmd == "status") {
      return Reply::success(Json{{"state", "up"}});
    }
    if (r.cmd == "big") return Reply::success(Json(std::string(10000, 'b')));
    if (r.cmd == "rekey") return Reply::success(Json("started"));
    if (r.cmd == "echo") {
      const auto n = r.args.find("n");
      if (n == r.args.end() || !n->is_number_unsigned()) return Reply::failure(ErrorCode::kBadArgument, "echo needs args.n");
      return Reply::success(*n);
    }
    return Reply::failure(ErrorCode::kUnknownCommand, "unknown command '" + r.cmd + "'");
  }

  // Serves the socket from a background thread while the test acts as a client.
  void start_pump() {
    pump_ = std::thread([this] {
      while (!stop_) server_->service(20);
    });
  }

  int connect_raw() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }

  static std::string read_line(int fd) {
    std::string s;
    char c;
    while (::read(fd, &c, 1) == 1) {
      if (c == '\n') return s;
      s.push_back(c);
    }
    return s;
  }

  static std::string error_code_of(const std::string& line) {
    std::string why;
    auto v = api::parse_response(line, why);
    if (!v) return "<not json: " + line + ">";
    if (v->ok) return "<ok>";
    return v->error_code;
  }

  std::string dir_, path_;
  std::unique_ptr<ControlServer> server_;
  std::thread pump_;
  std::atomic<bool> stop_{false};
};

TEST_F(ControlServerTest, SocketIsMode0660) {
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(ControlServerTest, AnswersRequestsThroughTheClient) {
  start_pump();
  auto r = call(path_, build_request("status"), 2000);
  ASSERT_TRUE(r.response) << r.error;
  EXPECT_EQ(r.response->raw.at("v"), kProtocolVersion);
  EXPECT_TRUE(r.response->ok);
  EXPECT_EQ(r.response->result.at("state"), "up");

  r = call(path_, build_request("echo", Json{{"n", uint64_t{42}}}), 2000);
  ASSERT_TRUE(r.response) << r.error;
  EXPECT_EQ(r.response->result, 42u);
}

TEST_F(ControlServerTest, BadRequestsGetJsonErrorsAndTheConnectionStaysUsable) {
  start_pump();
  int fd = connect_raw();
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "malformed"},
      {"[1,2]", "malformed"},
      {R"({"cmd":"status"})", "malformed"},
      {R"({"v":"1","cmd":"status"})", "malformed"},
      {R"({"v":2,"cmd":"status"})", "unsupported_version"},
      {R"({"v":1,"cmd":""})", "malformed"},
      {R"({"v":1,"cmd":"status","args":[]})", "malformed"},
      {R"({"v":1,"cmd":"status","extra":1})", "malformed"},
      {R"({"v":1,"cmd":"frobnicate"})", "unknown_command"},
      {R"({"v":1,"cmd":"echo","args":{"n":-1}})", "bad_argument"},
  };
  for (const auto& [req, code] : cases) {
    std::string line = req + "\n";
    ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    EXPECT_EQ(error_code_of(read_line(fd)), code) << req;
  }
  std::string ok = build_request("status");
  ASSERT_EQ(::write(fd, ok.data(), ok.size()), static_cast<ssize_t>(ok.size()));
  EXPECT_EQ(error_code_of(read_line(fd)), "<ok>");
  ::close(fd);
}

TEST_F(ControlServerTest, OversizedRequestIsRefusedAndTheDaemonSurvives) {
  start_pump();
  int fd = connect_raw();
  std::string huge(kMaxRequestLen + 100, 'x');
  // The server hangs up after answering; the write may see EPIPE part-way, which is fine.
  ::signal(SIGPIPE, SIG_IGN);
  size_t sent = 0;
  while (sent < huge.size()) {
    ssize_t n = ::write(fd, huge.data() + sent, huge.size() - sent);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  EXPECT_EQ(error_code_of(read_line(fd)), "too_large");
  ::close(fd);
  auto r = call(path_, build_request("status"), 2000);
  ASSERT_TRUE(r.response) << r.error;
  EXPECT_TRUE(r.response->ok);
}

TEST_F(ControlServerTest, SecondDaemonOnTheSamePathIsRefused) {
  std::string error;
  auto second = ControlServer::open(path_, [](const Request&) { return Reply::success({}); }, error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("already listening"), std::string::npos) << error;
}

// Drives the server from the test thread (no pump): deterministic and race-free.
void service_for(ControlServer& s, std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) s.service(5);
}

// Writes as many copies of `line` as the socket takes without blocking; returns how many.
size_t write_nonblocking(int fd, const std::string& line, size_t max) {
  size_t n = 0;
  while (n < max && ::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) ++n;
  return n;
}

TEST_F(ControlServerTest, PerCallWorkIsBounded) {
  ControlServerLimits l;
  l.max_requests_per_tick = 8;
  server_->set_limits(l);
  int fd = connect_raw();
  std::string many;
  for (int i = 0; i < 100; ++i) many += build_request("status");
  ASSERT_EQ(::write(fd, many.data(), many.size()), static_cast<ssize_t>(many.size()));
  service_for(*server_, std::chrono::milliseconds(20));  // accept
  const uint64_t before = server_->stats().requests;
  server_->service(0);
  EXPECT_LE(server_->stats().requests - before, 8u) << "one service() call answered more than the per-tick bound";
  // The rest is answered over the next calls without new input arriving.
  for (int i = 0; i < 40 && server_->stats().requests < 100; ++i) server_->service(0);
  EXPECT_EQ(server_->stats().requests, 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(error_code_of(read_line(fd)), "<ok>");
  ::close(fd);
}

TEST_F(ControlServerTest, BackPressureStopsReadingUntilRepliesAreDrained) {
  ControlServerLimits l;
  l.out_low_cap = 64 * 1024;
  l.stuck_timeout = std::chrono::seconds(60);
  server_->set_limits(l);
  int fd = connect_raw();
  int small = 4096;  // a small receive buffer on our side, so the server's queue fills
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string req = build_request("big");
  size_t sent = 0;
  for (int round = 0; round < 50; ++round) {
    sent += write_nonblocking(fd, req, 2000 - sent);
    service_for(*server_, std::chrono::milliseconds(5));
  }
  ASSERT_GT(sent, 200u) << "the client could not even queue its requests";
  // Replies are 10 kB: the server stops parsing once 64 KiB are queued, and the kernel's
  // buffers (not ours) hold the unread requests.
  EXPECT_LT(server_->stats().requests, 100u);
  EXPECT_LE(server_->buffered_len(), l.out_low_cap + 8 * 10100 + kMaxRequestLen + 16384);
  EXPECT_EQ(server_->stats().dropped_slow_clients, 0u);
  // Now the client reads: every request is answered in order.
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  size_t lines = 0;
  std::string buf(65536, '\0');
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (lines < sent && std::chrono::steady_clock::now() < end) {
    server_->service(1);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) lines += std::count(buf.begin(), buf.begin() + n, '\n');
  }
  EXPECT_EQ(lines, sent);
  ::close(fd);
}

TEST_F(ControlServerTest, ClientThatNeverReadsIsDroppedAndCounted) {
  ControlServerLimits l;
  l.stuck_timeout = std::chrono::milliseconds(300);
  server_->set_limits(l);
  int fd = connect_raw();
  const std::string req = build_request("big");
  size_t peak = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < end && server_->stats().dropped_slow_clients == 0) {
    write_nonblocking(fd, req, 1000);
    server_->service(2);
    peak = std::max(peak, server_->buffered_len());
  }
  EXPECT_EQ(server_->stats().dropped_slow_clients, 1u);
  EXPECT_EQ(server_->client_count(), 0u);
  EXPECT_LE(peak, l.out_low_cap + 8 * 10100 + kMaxRequestLen + 16384) << "queued memory was not bounded";
  ::close(fd);
  // The server still serves others.
  int other = connect_raw();
  std::string ok = build_request("status");
  ASSERT_EQ(::write(other, ok.data(), ok.size()), static_cast<ssize_t>(ok.size()));
  service_for(*server_, std::chrono::milliseconds(50));
  EXPECT_EQ(error_code_of(read_line(other)), "<ok>");
  ::close(other);
}

TEST_F(ControlServerTest, ReplyBeyondTheHardCapDropsTheClient) {
  ControlServerLimits l;
  l.out_hard_cap = 25000;  // two 10 kB replies fit, the third does not
  l.out_low_cap = 1 << 20;
  server_->set_limits(l);
  int fd = connect_raw();
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string req = build_request("big");
  for (int i = 0; i < 200 && server_->stats().dropped_slow_clients == 0; ++i) {
    write_nonblocking(fd, req, 50);
    server_->service(2);
  }
  EXPECT_EQ(server_->stats().dropped_slow_clients, 1u);
  ::close(fd);
}

TEST_F(ControlServerTest, IdleClientsTimeOutWithAMessage) {
  ControlServerLimits l;
  l.idle_timeout = std::chrono::milliseconds(200);
  server_->set_limits(l);
  int fd = connect_raw();
  service_for(*server_, std::chrono::milliseconds(400));
  EXPECT_EQ(server_->client_count(), 0u);
  EXPECT_EQ(server_->stats().idle_timeouts, 1u);
  EXPECT_EQ(error_code_of(read_line(fd)), "unavailable");
  ::close(fd);
}

TEST_F(ControlServerTest, ATricklingPartialRequestIsIdleToo) {
  ControlServerLimits l;
  l.idle_timeout = std::chrono::milliseconds(200);
  server_->set_limits(l);
  int fd = connect_raw();
  for (int i = 0; i < 8; ++i) {  // one byte every 50 ms, never a newline
    (void)::send(fd, "{", 1, MSG_NOSIGNAL);  // fails once the server hung up, which is the point
    service_for(*server_, std::chrono::milliseconds(50));
  }
  EXPECT_EQ(server_->client_count(), 0u);
  EXPECT_EQ(server_->stats().idle_timeouts, 1u);
  ::close(fd);
}

TEST_F(ControlServerTest, OverTheLimitClientsAreToldUnavailable) {
  std::vector<int> fds;
  for (size_t i = 0; i < ControlServer::kMaxClients; ++i) fds.push_back(connect_raw());
  service_for(*server_, std::chrono::milliseconds(30));
  EXPECT_EQ(server_->client_count(), ControlServer::kMaxClients);
  int extra = connect_raw();
  service_for(*server_, std::chrono::milliseconds(30));
  EXPECT_EQ(error_code_of(read_line(extra)), "unavailable");
  EXPECT_EQ(server_->stats().rejected_clients, 1u);
  ::close(extra);
  for (int fd : fds) ::close(fd);
}

// Runs `fn` in a child as nobody (uid/gid 65534) while this thread serves the socket; returns
// the child's exit code.
int as_nobody(ControlServer& s, const std::function<int()>& fn, std::vector<gid_t> groups = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    ::_exit(fn());
  }
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) s.service(5);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 101;
}

class ControlServerCredsTest : public ControlServerTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "NOT TESTED: SO_PEERCRED permission checks need root (to fork a uid 65534 client); CI runs as root";
    }
    ControlServerTest::SetUp();
    // Let nobody reach the socket, as a socket group would in production.
    ::chmod(dir_.c_str(), 0755);
    ::chmod(path_.c_str(), 0666);
    server_->set_state_changing({"rekey"});
  }
  // In the child: one request, returns 0 if the answer's code is `want`.
  std::function<int()> expect(std::string cmd, std::string want) {
    return [this, cmd, want] {
      auto r = call(path_, build_request(cmd), 3000);
      if (!r.response) return 2;
      std::string line = api::write_compact(r.response->raw);
      return error_code_of(line) == want ? 0 : 1;
    };
  }
};

TEST_F(ControlServerCredsTest, NonRootMayReadButNotChangeState) {
  EXPECT_EQ(as_nobody(*server_, expect("status", "<ok>")), 0) << "nobody could not run a read-only command";
  EXPECT_EQ(as_nobody(*server_, expect("rekey", "permission_denied")), 0) << "nobody was allowed to rekey";
  EXPECT_EQ(server_->stats().permission_denied, 1u);
  // Root may.
  start_pump();
  auto r = call(path_, build_request("rekey"), 2000);
  ASSERT_TRUE(r.response) << r.error;
  EXPECT_TRUE(r.response->ok);
}

TEST_F(ControlServerCredsTest, AdminGroupMayChangeState) {
  server_->set_admin_gid(65534);
  EXPECT_EQ(as_nobody(*server_, expect("rekey", "<ok>")), 0) << "a member of the admin group was refused";
}

TEST_F(ControlServerCredsTest, SupplementaryAdminGroupMayChangeState) {
  server_->set_admin_gid(4242);
  EXPECT_EQ(as_nobody(*server_, expect("rekey", "permission_denied")), 0) << "nobody without the group may not";
  EXPECT_EQ(as_nobody(*server_, expect("rekey", "<ok>"), {4242}), 0) << "a supplementary member was refused";
}

TEST_F(ControlServerCredsTest, LastSlotIsKeptForRoot) {
  // nobody fills every slot it may take; the one after is refused with `unavailable`.
  const int rc = as_nobody(*server_, [this] {
    std::vector<int> fds;
    for (size_t i = 0; i + 1 < ControlServer::kMaxClients; ++i) fds.push_back(connect_raw());
    int extra = connect_raw();
    const bool refused = error_code_of(read_line(extra)) == "unavailable";
    return refused ? 0 : 1;
  });
  EXPECT_EQ(rc, 0) << "a non-root client got the slot kept for root";
  EXPECT_GE(server_->stats().rejected_clients, 1u);
}

TEST(ControlClient, SaysClearlyWhenTheDaemonIsNotRunning) {

  auto r = call("/tmp/lc-no-such-daemon.sock", build_request("status"), 500);
  EXPECT_FALSE(r.response);
  EXPECT_NE(r.error.find("linkcryptd is not running"), std::string::npos) << r.error;
}

TEST(ControlServerStale, StaleSocketFromADeadDaemonIsReplaced) {
  char tmpl[] = "/tmp/lc-ctl-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/ctl.sock";
  {
    // A bound socket that nobody listens on, left behind like a crashed daemon's.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  std::string error;
  auto server = ControlServer::open(path, [](const Request&) { return Reply::success({}); }, error);
  EXPECT_NE(server, nullptr) << error;
  server.reset();
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace linkcrypt::control
