// linkcryptctl end to end: the real binary against a real control socket.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/status.h"
#include "control_server.h"

namespace linkcrypt::control {
namespace {

// What the fake daemon answers to `status`: the same struct linkcryptd fills.
api::StatusResult fake_status() {
  api::StatusResult s;
  s.state = "secured";
  s.uptime_s = 42;
  s.suite = "gcm-aes-xpn-256";
  s.transport = "inband";
  s.tx_an = 1;
  s.tx_key_id = "00000000000000aa";
  s.rotations = 3;
  s.ike_state = "established";
  s.role = "initiator";
  s.ports = {{"plain", "net_tap0", "lp", "up", 1500, "UP", true, true, "netlink", 7, std::nullopt},
             {"wire", "0000:01:00.0", std::nullopt, "down", 1532, "DOWN", false, true, "ethdev", std::nullopt, 10000}};
  return s;
}

const char* g_ctl = nullptr;  // path to the linkcryptctl binary (argv[1])

struct CtlRun {
  int status;
  std::string out;
};

CtlRun run_ctl(const std::string& args) {
  std::string cmd = std::string(g_ctl) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  CtlRun r{-1, {}};
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) r.out += buf;
  int st = p ? ::pclose(p) : -1;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class LinkcryptctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lc-ctl-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ctl.sock";
    std::string error;
    server_ = ControlServer::open(path_, [this](const Request& r) {
      last_args_ = api::write_compact(r.args);
      if (r.cmd == "status") return Reply::success(api::to_json_value(fake_status()));
      // A daemon that breaks the contract: ike_state must be a string.
      if (r.cmd == "peer") return Reply::success(api::Json{{"ike_state", 5}});
      return Reply::failure(ErrorCode::kUnknownCommand, "unknown command '" + r.cmd + "'");
    }, error);
    ASSERT_NE(server_, nullptr) << error;
    pump_ = std::thread([this] {
      while (!stop_) server_->service(20);
    });
  }
  void TearDown() override {
    stop_ = true;
    pump_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_, path_, last_args_;
  std::unique_ptr<ControlServer> server_;
  std::thread pump_;
  std::atomic<bool> stop_{false};
};

TEST_F(LinkcryptctlTest, PrintsHumanAndJsonOutput) {
  CtlRun human = run_ctl("--socket " + path_ + " status");
  EXPECT_EQ(human.status, 0) << human.out;
  // The headline first, then the details; the ports table in 100 columns (tools_ctl_golden
  // covers every line at a fixed time; here the real binary, whose "now" is the clock's).
  EXPECT_EQ(human.out.substr(0, human.out.find('\n')),
            "link secured, but the wire port 0000:01:00.0 is down: frames are dropped (WireDownDrops) until its "
            "link comes back");
  EXPECT_NE(human.out.find("  transmit SA: AN 1, key id 00000000000000aa\n"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("  up since:    "), std::string::npos) << human.out;
  EXPECT_NE(human.out.find(" (42 s ago)\n"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("ports:\n"
                           "  ROLE   DEVICE        INTERFACE  LINK   MTU  OPERSTATE  CARRIER      SPEED\n"
                           "  plain  net_tap0      lp         up    1500  UP         yes              -\n"
                           "  wire   0000:01:00.0  -          down  1532  DOWN       no       10 Gbit/s\n"),
            std::string::npos)
      << human.out;
  CtlRun wide = run_ctl("--socket " + path_ + " -w status");
  EXPECT_NE(wide.out.find("  ROLE   DEVICE        INTERFACE  LINK   MTU  OPERSTATE  CARRIER  ADMIN UP  SOURCE   "
                          "IF INDEX      SPEED\n"),
            std::string::npos)
      << wide.out;
  CtlRun machine = run_ctl("--socket " + path_ + " --json status");
  EXPECT_EQ(machine.status, 0) << machine.out;
  EXPECT_EQ(machine.out,
            R"({"ok":true,"result":{"failure":null,"failure_hint":null,"failure_s_ago":null,)"
            R"("ike_state":"established","keylog":false,"must_secure":true,"peer_id":null,)"
            R"("ports":[{"admin_up":true,"carrier":true,"device":"net_tap0","if_index":7,"interface":"lp",)"
            R"("link":"up","mtu":1500,"operstate":"UP","role":"plain","source":"netlink","speed_mbps":null},)"
            R"({"admin_up":true,"carrier":false,"device":"0000:01:00.0","if_index":null,"interface":null,)"
            R"("link":"down","mtu":1532,"operstate":"DOWN","role":"wire","source":"ethdev","speed_mbps":10000}],)"
            R"("ppk_id":null,"ppk_protected":false,"role":"initiator","rotations":3,"state":"secured","suite":"gcm-aes-xpn-256","transport":"inband",)"
            R"("tx_an":1,"tx_key_id":"00000000000000aa","uptime_s":42},"v":1})"
            "\n");
}

TEST_F(LinkcryptctlTest, WatchRedrawsInPlaceAndSigintRestoresTheTerminal) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(g_ctl, g_ctl, "--socket", path_.c_str(), "status", "--watch", "0.2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string out;
  auto drain = [&](int ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    char buf[4096];
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) return;  // EIO: the child closed the terminal
      out.append(buf, static_cast<size_t>(n));
    }
  };
  auto frames = [&] {
    size_t n = 0;
    for (size_t at = out.find("link secured"); at != std::string::npos; at = out.find("link secured", at + 1)) ++n;
    return n;
  };
  for (int i = 0; i < 100 && frames() < 3; ++i) drain(100);  // up to 10 s on a loaded machine
  EXPECT_GE(frames(), 3u) << out;
  ::kill(pid, SIGINT);
  drain(2000);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ::close(master);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st << "\n" << out;
  EXPECT_EQ(out.rfind("\x1b[?25l", 0), 0u) << "the cursor is hidden first";
  EXPECT_NE(out.find("\x1b[H"), std::string::npos) << "each frame starts at home";
  EXPECT_TRUE(out.ends_with("\x1b[?25h")) << "the cursor is shown again at the end";
}

TEST_F(LinkcryptctlTest, WatchWithoutATerminalPrintsFramesOneAfterAnother) {
  CtlRun r = run_ctl("--socket " + path_ + " --watch 0.2 status & p=$!; sleep 1; kill -INT $p; wait $p");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no terminal codes into a pipe";
  EXPECT_NE(r.out.find("every 0.2 s: linkcryptctl status"), std::string::npos) << r.out;
  EXPECT_GE(std::count(r.out.begin(), r.out.end(), '\n'), 20) << r.out;
  // Only read-only commands repeat.
  EXPECT_EQ(run_ctl("--socket " + path_ + " --watch 1 rekey").status, 2);
  EXPECT_EQ(run_ctl("--socket " + path_ + " --watch 0 status").status, 2);
}

TEST_F(LinkcryptctlTest, AResultThatBreaksTheContractIsReported) {
  CtlRun human = run_ctl("--socket " + path_ + " peer");
  EXPECT_EQ(human.status, 1);
  EXPECT_EQ(human.out, "linkcryptctl: peer: linkcryptd's result does not match the API (ike_state: expected a string)\n");
  // --json prints what the daemon sent, whatever it is.
  CtlRun machine = run_ctl("--socket " + path_ + " --json peer");
  EXPECT_EQ(machine.status, 0) << machine.out;
  EXPECT_EQ(machine.out, R"({"ok":true,"result":{"ike_state":5},"v":1})" "\n");
}

TEST_F(LinkcryptctlTest, PassesTypedArguments) {
  CtlRun r = run_ctl("--socket " + path_ + " status an=1 reason=operator");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(last_args_, R"({"an":1,"reason":"operator"})");
}

TEST_F(LinkcryptctlTest, DaemonErrorsExitOneWithTheMessage) {
  CtlRun r = run_ctl("--socket " + path_ + " frobnicate");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "linkcryptctl: frobnicate: unknown command 'frobnicate' (unknown_command)\n");
}

TEST(LinkcryptctlNoDaemon, SaysTheDaemonIsNotRunning) {
  CtlRun r = run_ctl("--socket /tmp/lc-no-such-daemon.sock status");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("linkcryptd is not running"), std::string::npos) << r.out;
}

TEST(LinkcryptctlUsage, BadArgumentsExitTwo) {
  EXPECT_EQ(run_ctl("").status, 2);
  EXPECT_EQ(run_ctl("--bogus status").status, 2);
  EXPECT_EQ(run_ctl("status notkeyvalue").status, 2);
  EXPECT_EQ(run_ctl("--timeout 0 status").status, 2);
}

}  // namespace
}  // namespace linkcrypt::control

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH_TO_LINKCRYPTCTL\n", argv[0]);
    return 1;
  }
  linkcrypt::control::g_ctl = argv[1];
  return RUN_ALL_TESTS();
}
