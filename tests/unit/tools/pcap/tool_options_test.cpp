// Unit tests for linkcrypt-pcap's command line: every refusal (exit 2) and the accepted forms.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hex.h"
#include "sak_file.h"
#include "tool_options.h"

namespace linkcrypt::pcaptool {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSak128 = "AD7A2BD03EAC835A6F620FDCB506B345";
constexpr const char* kSak256 = "E3C08A8F06C6E3AD95A70557B23F75483CE33021A9C72B7025666204C69C0B72";

// A temporary directory holding an (empty) input file, removed at the end of each test.
class ToolOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/linkcrypt-pcap-opts-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    in_ = (dir_ / "in.pcap").string();
    std::ofstream(in_) << "";
    out_ = (dir_ / "out.pcap").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the parser on a writable argv copy; returns the UsageError text or "" on success.
  std::string parse(std::vector<std::string> args, ToolOptions& opts) {
    args.insert(args.begin(), "linkcrypt-pcap");
    storage_ = args;
    argv_.clear();
    for (auto& a : storage_) argv_.push_back(a.data());
    try {
      (void)parse_tool_options(static_cast<int>(argv_.size()), argv_.data(), opts);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  }
  std::string parse(std::vector<std::string> args) {
    ToolOptions opts;
    return parse(std::move(args), opts);
  }
  std::vector<std::string> protect128() {
    return {"protect", "--cipher", "gcm-aes-128", "--sak", kSak128, "--sci", "12153524C0895E81",
            "--an", "2", "--pn", "1", in_, out_};
  }
  std::vector<std::string> validate_xpn256() {
    return {"validate", "--cipher", "gcm-aes-xpn-256", "--sak", kSak256, "--sci", "12153524C0895E81",
            "--an", "3", "--ssci", "7A30C118", "--salt", "E630E81A48DE86A21C66FA6D", in_, out_};
  }
  std::vector<std::string> without_sak() {
    auto a = protect128();
    a.erase(a.begin() + 3, a.begin() + 5);
    return a;
  }
  std::string write_key_file(const std::string& text, mode_t mode) {
    const auto path = (dir_ / "sak.hex").string();
    std::ofstream(path) << text;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  fs::path dir_;
  std::string in_, out_;
  std::vector<std::string> storage_;
  std::vector<char*> argv_;
};

TEST_F(ToolOptionsTest, AcceptsProtectAndFillsEveryField) {
  ToolOptions o;
  auto args = protect128();
  args.insert(args.end() - 2, {"--integrity-only", "--no-sci", "--engine", "openssl"});
  ASSERT_EQ(parse(args, o), "");
  EXPECT_EQ(o.command, ToolCommand::Protect);
  EXPECT_EQ(o.suite, secy::CipherSuite::GcmAes128);
  ASSERT_EQ(o.sak.size(), 16u);
  EXPECT_EQ(o.sak.view()[0], 0xAD);
  EXPECT_EQ(o.sci, 0x12153524C0895E81ull);
  EXPECT_EQ(o.an, 2);
  EXPECT_EQ(o.first_pn, 1u);
  EXPECT_TRUE(o.integrity_only);
  EXPECT_TRUE(o.no_sci);
  EXPECT_EQ(o.engine, secy::EngineKind::OpenSsl);
  EXPECT_EQ(o.in_path, in_);
  EXPECT_EQ(o.out_path, out_);
}

TEST_F(ToolOptionsTest, AcceptsValidateXpnWithHexNumbers) {
  ToolOptions o;
  auto args = validate_xpn256();
  args.insert(args.end() - 2, {"--lowest-pn", "0xB1C2D3E400000001", "--replay-window", "64"});
  ASSERT_EQ(parse(args, o), "");
  EXPECT_EQ(o.command, ToolCommand::Validate);
  EXPECT_TRUE(o.xpn);
  EXPECT_EQ(o.xpn_params.ssci, 0x7A30C118u);
  EXPECT_EQ(o.xpn_params.salt[0], 0xE6);
  EXPECT_EQ(o.xpn_params.salt[11], 0x6D);
  EXPECT_EQ(o.lowest_pn, 0xB1C2D3E400000001ull);
  EXPECT_EQ(o.replay_window, 64u);
  EXPECT_EQ(o.engine, secy::EngineKind::IpsecMb);
}

TEST_F(ToolOptionsTest, WipesTheSakFromArgv) {
  ToolOptions o;
  ASSERT_EQ(parse(protect128(), o), "");
  for (char* a : argv_) EXPECT_EQ(std::strstr(a, kSak128), nullptr) << a;
  auto eq_form = protect128();
  eq_form.erase(eq_form.begin() + 3, eq_form.begin() + 5);
  eq_form.insert(eq_form.begin() + 1, std::string("--sak=") + kSak128);
  ASSERT_EQ(parse(eq_form, o), "");
  for (char* a : argv_) EXPECT_EQ(std::strstr(a, kSak128), nullptr) << a;
}

// Each bad command line gets one message that names the problem.
TEST_F(ToolOptionsTest, RefusesBadArguments) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  auto with = [&](std::vector<std::string> base, const std::string& opt, const std::string& value) {
    for (size_t i = 0; i + 1 < base.size(); ++i) {
      if (base[i] == opt) {
        base[i + 1] = value;
        return base;
      }
    }
    base.insert(base.end() - 2, {opt, value});
    return base;
  };
  auto without = [](std::vector<std::string> base, const std::string& opt, bool has_value = true) {
    for (size_t i = 0; i < base.size(); ++i) {
      if (base[i] == opt) base.erase(base.begin() + i, base.begin() + i + (has_value ? 2 : 1));
    }
    return base;
  };
  const std::vector<Case> cases = {
      {with(protect128(), "--cipher", "gcm-aes-192"), "unknown cipher suite"},
      {with(protect128(), "--sak", "AD7A2BD03EAC835A6F620FDCB506B3"), "needs 16"},
      {with(protect128(), "--sak", kSak256), "needs 16"},
      {with(protect128(), "--sak", "AD7A2BD03EAC835A6F620FDCB506B34G"), "not valid hex"},
      {with(protect128(), "--sak", "ABC"), "not valid hex"},
      {with(protect128(), "--sci", "12153524C0895E"), "8 octets"},
      {with(protect128(), "--sci", "zz"), "not valid hex"},
      {with(protect128(), "--an", "4"), "out of range"},
      {with(protect128(), "--an", "two"), "not a number"},
      {with(protect128(), "--pn", "0"), "out of range"},
      {with(protect128(), "--pn", "4294967296"), "out of range"},
      {with(protect128(), "--pn", "-1"), "not a number"},
      {without(protect128(), "--pn"), "missing --pn"},
      {without(protect128(), "--sak"), "missing the key"},
      {without(protect128(), "--sci"), "missing --sci"},
      {without(protect128(), "--an"), "missing --an"},
      {without(protect128(), "--cipher"), "missing --cipher"},
      {with(protect128(), "--ssci", "00000001"), "XPN suites only"},
      {with(protect128(), "--salt", "E630E81A48DE86A21C66FA6D"), "XPN suites only"},
      {without(validate_xpn256(), "--ssci"), "needs --ssci"},
      {without(validate_xpn256(), "--salt"), "needs --ssci"},
      {with(validate_xpn256(), "--salt", "E630E81A48DE86A21C66FA"), "12 octets"},
      {with(validate_xpn256(), "--ssci", "7A30C1"), "4 octets"},
      {with(validate_xpn256(), "--pn", "1"), "protect only"},
      {with(validate_xpn256(), "--replay-window", "1073741824"), "out of range"},
      {with(protect128(), "--lowest-pn", "5"), "validate only"},
      {with(protect128(), "--engine", "qat"), "unknown --engine"},
      {with(protect128(), "--sak-file", "/nonexistent"), "not both"},
      {with(protect128(), "--bogus", "1"), "bogus"},
      {{"encrypt", "--cipher", "gcm-aes-128", in_, out_}, "unknown command"},
      {{}, "missing the command"},
      {[&] { auto a = protect128(); a.pop_back(); return a; }(), "missing the output"},
      {[&] { auto a = protect128(); a[a.size() - 2] = (dir_ / "nope.pcap").string(); return a; }(),
       "does not exist"},
      {[&] { auto a = protect128(); a.push_back("extra"); return a; }(), "too many arguments"},
      {[&] { auto a = protect128(); a.back() = in_; return a; }(), "must differ"},
  };
  for (const auto& c : cases) {
    const std::string err = parse(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_NE(err.find(c.expect), std::string::npos) << "args: " << joined << "\nerror: '" << err << "'";
  }
}

TEST_F(ToolOptionsTest, ReadsSakFileOnlyWhenPrivate) {
  auto args = without_sak();
  const auto path = write_key_file(std::string("# test key\n") + kSak128 + "\n", 0600);
  args.insert(args.end() - 2, {"--sak-file", path});
  ToolOptions o;
  ASSERT_EQ(parse(args, o), "");
  ASSERT_EQ(o.sak.size(), 16u);
  EXPECT_EQ(o.sak.view()[15], 0x45);

  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  const auto err = parse(args);
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
  EXPECT_EQ(err.find(kSak128), std::string::npos) << "the key must never appear in a message";
  ASSERT_EQ(chmod(path.c_str(), 0604), 0);
  EXPECT_NE(parse(args).find("chmod 600"), std::string::npos);
}

TEST_F(ToolOptionsTest, RefusesSakFileThatIsNotOneHexLine) {
  auto args = without_sak();
  args.insert(args.end() - 2, {"--sak-file", write_key_file("not hex at all\n", 0600)});
  EXPECT_NE(parse(args).find("valid hex"), std::string::npos);
  args[args.size() - 3] = write_key_file(std::string(kSak128) + "\n" + kSak128 + "\n", 0600);
  EXPECT_NE(parse(args).find("exactly one line"), std::string::npos);
  args[args.size() - 3] = (dir_ / "missing.hex").string();
  EXPECT_NE(parse(args).find("cannot open"), std::string::npos);
  const auto link = (dir_ / "link.hex").string();
  ASSERT_EQ(symlink(write_key_file(kSak128, 0600).c_str(), link.c_str()), 0);
  args[args.size() - 3] = link;
  EXPECT_NE(parse(args).find("cannot open"), std::string::npos) << "symlinks are not followed";
}

TEST_F(ToolOptionsTest, KeylogGivesEverySaAndTheOutputIsOptional) {
  const auto keylog = write_key_file(
      "MACSEC_SA sci=12153524c0895e81 an=2 suite=gcm-aes-128 sak=ad7a2bd03eac835a6f620fdcb506b345 installed=- dir=rx\n"
      "MACSEC_SA sci=12153524c0895e81 an=3 suite=gcm-aes-128 sak=ad7a2bd03eac835a6f620fdcb506b346 installed=- dir=rx\n",
      0600);
  ToolOptions o;
  ASSERT_EQ(parse({"validate", "--keylog", keylog, "--lowest-pn", "5", in_}, o), "");
  EXPECT_EQ(o.keylog.size(), 2u);
  EXPECT_EQ(o.keylog_path, keylog);
  EXPECT_EQ(o.lowest_pn, 5u);
  EXPECT_TRUE(o.out_path.empty()) << "validate may only report";
  ToolOptions with_out;
  ASSERT_EQ(parse({"validate", "--keylog", keylog, in_, out_}, with_out), "");
  EXPECT_EQ(with_out.out_path, out_);

  EXPECT_NE(parse({"validate", "--keylog", keylog, "--cipher", "gcm-aes-128", in_}).find("drop --cipher"),
            std::string::npos);
  EXPECT_NE(parse({"validate", "--keylog", keylog, "--an", "1", in_}).find("drop --an"), std::string::npos);
  EXPECT_NE(parse({"validate", "--keylog", keylog, "--lowest-pn", "4294967296", in_}).find("out of range"),
            std::string::npos) << "32-bit PN suites in the keylog bound --lowest-pn";
  auto prot = protect128();
  prot.insert(prot.end() - 2, {"--keylog", keylog});
  EXPECT_NE(parse(prot).find("validate only"), std::string::npos);
  ASSERT_EQ(chmod(keylog.c_str(), 0644), 0);
  EXPECT_NE(parse({"validate", "--keylog", keylog, in_}).find("chmod 600"), std::string::npos);
}

TEST(SecretHex, DecodesWithSeparatorsAndRefusesOddDigits) {
  SecretBytes out;
  ASSERT_TRUE(parse_hex_secret("0xad:7a-2b d0", out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.view()[0], 0xAD);
  EXPECT_EQ(out.view()[3], 0xD0);
  EXPECT_FALSE(parse_hex_secret("abc", out));
  EXPECT_FALSE(parse_hex_secret("", out));
  EXPECT_FALSE(parse_hex_secret("ag", out));
}

}  // namespace
}  // namespace linkcrypt::pcaptool
