// linkcryptctl's socket choice: --socket, --instance NAME, the default socket, the only instance, several.
#include "socket_choice.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using linkcrypt::ctl::choose_socket;
namespace fs = std::filesystem;

// A scratch /run/linkcrypt with real listening-style socket files in it.
class RuntimeDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/linkcrypt-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (int fd : fds_) close(fd);
    fs::remove_all(dir_);
  }
  void add_socket(const std::string& name) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    fds_.push_back(fd);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    (dir_ + "/" + name).copy(a.sun_path, sizeof a.sun_path - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  std::string dir_;
  std::vector<int> fds_;
};

TEST_F(RuntimeDir, ExplicitSocketWins) {
  add_socket("site-a.sock");
  auto c = choose_socket(std::string("/elsewhere/x.sock"), std::nullopt, dir_);
  EXPECT_EQ(c.path, "/elsewhere/x.sock");
  EXPECT_EQ(c.error, "");
}

TEST_F(RuntimeDir, InstanceNamesItsSocket) {
  auto c = choose_socket(std::nullopt, std::string("site-b"), dir_);
  EXPECT_EQ(c.path, dir_ + "/site-b.sock");  // whether it runs is the client's to say
  EXPECT_EQ(c.error, "");
}

TEST_F(RuntimeDir, InstanceMustBeAName) {
  for (const char* bad : {"", "../etc/x", "a/b", ".hidden"}) {
    auto c = choose_socket(std::nullopt, std::string(bad), dir_);
    EXPECT_NE(c.error.find("not an instance name"), std::string::npos) << bad;
  }
}

TEST_F(RuntimeDir, SocketAndInstanceTogetherAreRefused) {
  auto c = choose_socket(std::string("/x.sock"), std::string("site-a"), dir_);
  EXPECT_NE(c.error, "");
}

TEST_F(RuntimeDir, DefaultSocketFirst) {
  add_socket("linkcryptd.sock");
  add_socket("site-a.sock");
  EXPECT_EQ(choose_socket(std::nullopt, std::nullopt, dir_).path, dir_ + "/linkcryptd.sock");
}

TEST_F(RuntimeDir, TheOnlyInstance) {
  add_socket("site-a.sock");
  std::ofstream(dir_ + "/notes.sock") << "a regular file is not a daemon";
  auto c = choose_socket(std::nullopt, std::nullopt, dir_);
  EXPECT_EQ(c.path, dir_ + "/site-a.sock");
  EXPECT_EQ(c.error, "");
}

TEST_F(RuntimeDir, NoDaemonFallsBackToTheDefault) {
  EXPECT_EQ(choose_socket(std::nullopt, std::nullopt, dir_).path, dir_ + "/linkcryptd.sock");
  EXPECT_EQ(choose_socket(std::nullopt, std::nullopt, dir_ + "/missing").path, dir_ + "/missing/linkcryptd.sock");
}

TEST_F(RuntimeDir, SeveralInstancesNeedAChoice) {
  add_socket("site-b.sock");
  add_socket("site-a.sock");
  auto c = choose_socket(std::nullopt, std::nullopt, dir_);
  EXPECT_EQ(c.path, "");
  EXPECT_NE(c.error.find("2 linkcryptd instances"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("(site-a, site-b)"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("--instance NAME"), std::string::npos) << c.error;
}

}  // namespace
