// Control socket over a real Unix socket: answers, JSON errors for bad requests, limits, 0660.
#include "control_client.h"
#include "control_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

namespace linkcrypt::control {
namespace {

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
      json::Object o;
      o["state"] = json::Value("up");
      return Reply::success(json::Value(std::move(o)));
    }
    if (r.cmd == "echo") {
      const json::Value* n = r.args.find("n");
      if (!n || !n->as_uint()) return Reply::failure(ErrorCode::kBadArgument, "echo needs args.n");
      return Reply::success(json::Value(*n->as_uint()));
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
    auto v = json::parse(line);
    if (!v.value) return "<not json: " + line + ">";
    const json::Value* ok = v.value->find("ok");
    if (!ok || ok->as_bool() != false) return "<ok>";
    return *v.value->find("error")->find("code")->as_string();
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
  EXPECT_EQ(r.response->find("v")->as_uint(), kProtocolVersion);
  EXPECT_EQ(r.response->find("ok")->as_bool(), true);
  EXPECT_EQ(*r.response->find("result")->find("state")->as_string(), "up");

  json::Object args;
  args["n"] = json::Value(uint64_t{42});
  r = call(path_, build_request("echo", json::Value(std::move(args))), 2000);
  ASSERT_TRUE(r.response) << r.error;
  EXPECT_EQ(r.response->find("result")->as_uint(), 42u);
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
  EXPECT_EQ(r.response->find("ok")->as_bool(), true);
}

TEST_F(ControlServerTest, SecondDaemonOnTheSamePathIsRefused) {
  std::string error;
  auto second = ControlServer::open(path_, [](const Request&) { return Reply::success({}); }, error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("already listening"), std::string::npos) << error;
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
