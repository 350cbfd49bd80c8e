// linkcryptctl end to end: the real binary against a real control socket.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "control_server.h"

namespace linkcrypt::control {
namespace {

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
      last_args_ = json::write(r.args);
      if (r.cmd == "status") {
        json::Object o;
        o["ike_state"] = json::Value("established");
        o["tx_an"] = json::Value(uint64_t{1});
        return Reply::success(json::Value(std::move(o)));
      }
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
  EXPECT_EQ(human.out, "ike state: established\ntx an:     1\n");
  CtlRun machine = run_ctl("--socket " + path_ + " --json status");
  EXPECT_EQ(machine.status, 0) << machine.out;
  EXPECT_EQ(machine.out, R"({"ok":true,"result":{"ike_state":"established","tx_an":1},"v":1})" "\n");
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
