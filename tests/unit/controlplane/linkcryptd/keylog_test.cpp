// The daemon's keylog file: created 0600, refused when unsafe, and every line it writes reads back in linkcrypt-pcap.
#include "keylog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "keylog_file.h"

namespace linkcrypt::daemon {
namespace {

namespace fs = std::filesystem;

const std::array<uint8_t, 32> kSak = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
const std::array<uint8_t, 12> kSalt = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB};

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class KeylogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/linkcryptd-keylog-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "keylog").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string refusal(const std::string& path) {
    std::string err;
    EXPECT_EQ(Keylog::open(path, err), nullptr);
    return err;
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(KeylogFileTest, CreatesAPrivateFileAndAppendsLinesThatLinkcryptPcapReads) {
  const mode_t old_umask = umask(0);  // the mode must not depend on the caller's umask
  std::string err;
  auto keylog = Keylog::open(path_, err);
  umask(old_umask);
  ASSERT_NE(keylog, nullptr) << err;
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  const int64_t before = now_ns();
  KeylogRecord xpn;
  xpn.direction = "tx";
  xpn.sci = 0x020000000a000001ull;
  xpn.an = 2;
  xpn.key_id = 0x1122334455667788ull;
  xpn.suite = secy::CipherSuite::GcmAesXpn256;
  xpn.sak = kSak;
  xpn.ssci = 1;
  xpn.salt = kSalt;
  keylog->append(xpn);
  KeylogRecord plain;
  plain.direction = "rx";
  plain.sci = 0x020000000b000001ull;
  plain.an = 3;
  plain.suite = secy::CipherSuite::GcmAes128;
  plain.sak = std::span<const uint8_t>(kSak).first(16);
  keylog->append(plain);
  const int64_t after = now_ns();
  EXPECT_EQ(keylog->lines(), 2u);

  const std::string text = read_all(path_);
  EXPECT_EQ(text.rfind("# linkcrypt keylog", 0), 0u) << "a header saying what the file is";
  EXPECT_NE(text.find("key_id=- suite=gcm-aes-128"), std::string::npos) << text;
  std::vector<pcaptool::KeylogSa> sas;
  const auto r = pcaptool::parse_keylog({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, sas);
  ASSERT_TRUE(r.ok()) << pcaptool::describe_keylog_error(r) << "\n" << text;
  ASSERT_EQ(sas.size(), 2u);
  EXPECT_EQ(sas[0].sci, xpn.sci);
  EXPECT_EQ(sas[0].an, 2);
  EXPECT_EQ(sas[0].key_id, xpn.key_id);
  EXPECT_EQ(sas[0].suite, secy::CipherSuite::GcmAesXpn256);
  EXPECT_TRUE(std::equal(kSak.begin(), kSak.end(), sas[0].sak.view().begin(), sas[0].sak.view().end()));
  EXPECT_EQ(sas[0].xpn.ssci, 1u);
  EXPECT_EQ(sas[0].xpn.salt, kSalt);
  ASSERT_TRUE(sas[0].installed_ns);
  EXPECT_GE(*sas[0].installed_ns, before);
  EXPECT_LE(*sas[0].installed_ns, after);
  EXPECT_EQ(sas[0].direction, "tx");
  EXPECT_EQ(sas[1].sak.size(), 16u);
  EXPECT_FALSE(sas[1].key_id);
  EXPECT_EQ(sas[1].direction, "rx");

  // A restart appends to the same file: no second header, the old lines stay.
  keylog.reset();
  keylog = Keylog::open(path_, err);
  ASSERT_NE(keylog, nullptr) << err;
  keylog->append(plain);
  const std::string again = read_all(path_);
  EXPECT_EQ(again.substr(0, text.size()), text);
  EXPECT_EQ(again.find("# linkcrypt keylog", 1), std::string::npos);
}

TEST_F(KeylogFileTest, RefusesASymlinkAFifoAndAFileOthersMayRead) {
  const auto target = (dir_ / "target").string();
  std::ofstream(target) << "";
  ASSERT_EQ(chmod(target.c_str(), 0600), 0);
  const auto link = (dir_ / "link").string();
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_NE(refusal(link).find("symbolic link"), std::string::npos);
  const auto dangling = (dir_ / "dangling").string();
  ASSERT_EQ(symlink((dir_ / "nowhere").c_str(), dangling.c_str()), 0);
  EXPECT_NE(refusal(dangling).find("symbolic link"), std::string::npos) << "not created through the link";
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));

  const auto fifo = (dir_ / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(refusal(fifo), "");

  ASSERT_EQ(chmod(target.c_str(), 0640), 0);
  EXPECT_NE(refusal(target).find("chmod 600"), std::string::npos);
  ASSERT_EQ(chmod(target.c_str(), 0604), 0);
  EXPECT_NE(refusal(target).find("mode 0604"), std::string::npos);
  EXPECT_NE(refusal((dir_ / "no-such-dir" / "keylog").string()).find("No such file"), std::string::npos);
}

TEST_F(KeylogFileTest, RefusesAFileAnotherUserOwns) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user (the suite runs as root)";
  std::ofstream(path_) << "";
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
  EXPECT_NE(refusal(path_).find("owned by uid 65534"), std::string::npos);
}

TEST(KeylogLine, FitsTheLongestSuiteAndRefusesASmallBuffer) {
  KeylogRecord r;
  r.sci = UINT64_MAX;
  r.an = 3;
  r.key_id = UINT64_MAX;
  r.suite = secy::CipherSuite::GcmAesXpn256;
  r.sak = kSak;
  r.ssci = UINT32_MAX;
  r.salt = kSalt;
  std::array<char, kKeylogLineMax> buf{};
  const size_t len = format_keylog_line(r, INT64_MAX, buf);
  ASSERT_GT(len, 0u);
  EXPECT_EQ(buf[len - 1], '\n');
  std::array<char, 64> small{};
  EXPECT_EQ(format_keylog_line(r, 0, small), 0u);
}

}  // namespace
}  // namespace linkcrypt::daemon
