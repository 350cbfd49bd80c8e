// The real linkcrypt-keyholder behind RemoteLongTermKey: same AUTH values as the key in process, sandboxed, restarted after kill -9.
#include "remote_long_term_key.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "ike_auth.h"
#include "key_source.h"

namespace kh = linkcrypt::keyholder;
namespace ike = linkcrypt::ike;

namespace {

const std::string kPsk = "0123456789abcdef0123456789abcdef";

class KeyholderProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* p = std::getenv("LINKCRYPT_KEYHOLDER");
    ASSERT_NE(p, nullptr) << "meson sets LINKCRYPT_KEYHOLDER";
    program_ = p;
    char tmpl[] = "/tmp/keyholder-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string write_secret(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), 0600);
    return path;
  }
  std::shared_ptr<kh::RemoteLongTermKey> start(std::vector<std::string> args, std::string& err, int timeout_ms = 3000) {
    kh::KeyHolderSpec spec;
    spec.timeout_ms = timeout_ms;
    spec.program = program_;
    spec.args = std::move(args);
    spec.log = [this](const linkcrypt::LogEvent& e) {
      std::lock_guard lock(mu_);
      logged_.push_back(e.message);
    };
    return kh::RemoteLongTermKey::start(std::move(spec), err);
  }
  static std::string status_field(pid_t pid, const std::string& name) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(name + ":", 0) == 0) return line.substr(name.size() + 1);
    }
    return {};
  }

  std::string program_, dir_;
  std::mutex mu_;  // the supervisor thread logs too
  std::vector<std::string> logged_;
};

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_F(KeyholderProcess, PskAuthMatchesTheKeyInProcess) {
  std::string err;
  auto key = start({"--psk-file", write_secret("psk", kPsk + "\n")}, err);
  ASSERT_TRUE(key) << err;
  EXPECT_TRUE(key->public_key_der().empty());
  const auto octets = bytes("signed octets of an IKE_SA_INIT");
  ike::KeyUseContext use;
  use.spi_i = 1;
  use.spi_r = 2;
  use.peer = ike::Identity::fqdn("b.example");
  for (auto prf : {ike::Prf::HmacSha2_256, ike::Prf::HmacSha2_384, ike::Prf::HmacSha2_512}) {
    auto r = key->psk_auth(prf, octets, use);
    ASSERT_TRUE(r.ok()) << r.detail;
    auto want = ike::build_psk_auth(prf, bytes(kPsk), octets);
    ASSERT_TRUE(want);
    EXPECT_EQ(r.bytes, *want);
  }
  auto s = key->sign(octets, use);
  EXPECT_EQ(s.error, ike::KeyError::Unsupported);
  // Named as linkcryptd names the key in process (audit log, `linkcryptctl keys`).
  const auto d = key->description();
  EXPECT_EQ(d.name, "psk-file " + dir_ + "/psk");
  EXPECT_EQ(d.kind, "psk");
  EXPECT_EQ(d.fingerprint.rfind("hmac-sha256:", 0), 0u) << d.fingerprint;
}

TEST_F(KeyholderProcess, RunsSandboxedAndUnprivileged) {
  std::string err;
  auto key = start({"--psk-file", write_secret("psk", kPsk)}, err);
  ASSERT_TRUE(key) << err;
  const pid_t pid = key->pid();
  EXPECT_EQ(status_field(pid, "Seccomp"), "\t2");
  EXPECT_EQ(status_field(pid, "NoNewPrivs"), "\t1");
  EXPECT_EQ(status_field(pid, "CapEff"), "\t0000000000000000");
  if (geteuid() == 0) {
    const std::string uid = status_field(pid, "Uid");
    EXPECT_NE(uid.substr(0, 2), "\t0") << uid;
  }
  // Locked: VmLck covers at least the key's page.
  EXPECT_NE(status_field(pid, "VmLck"), "\t       0 kB");
}

TEST_F(KeyholderProcess, SignsWithEd25519AndGivesThePublicKey) {
  const std::string path = dir_ + "/ed.key";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm ed25519 -out " + path + " 2>/dev/null && chmod 600 " + path).c_str()), 0);
  std::string err;
  auto key = start({"--private-key-file", path}, err);
  ASSERT_TRUE(key) << err;
  std::ifstream in(path);
  std::string pem((std::istreambuf_iterator<char>(in)), {});
  auto local = ike::SigningKey::from_pem(bytes(pem));
  ASSERT_TRUE(local);
  EXPECT_EQ(key->public_key_der(), local->public_key_der());
  const auto octets = bytes("octets to sign");
  auto r = key->sign(octets, {});
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.bytes, *local->sign(octets));  // Ed25519 is deterministic
  EXPECT_EQ(key->psk_auth(ike::Prf::HmacSha2_256, octets, {}).error, ike::KeyError::Unsupported);
}

TEST_F(KeyholderProcess, RestartedAfterKill) {
  std::string err;
  auto key = start({"--psk-file", write_secret("psk", kPsk)}, err);
  ASSERT_TRUE(key) << err;
  const pid_t first = key->pid();
  ASSERT_EQ(kill(first, SIGKILL), 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (key->restarts() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(key->restarts(), 1u);
  EXPECT_NE(key->pid(), first);
  auto r = key->psk_auth(ike::Prf::HmacSha2_256, bytes("after the restart"), {});
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.bytes, *ike::build_psk_auth(ike::Prf::HmacSha2_256, bytes(kPsk), bytes("after the restart")));
  bool said = false;
  std::lock_guard lock(mu_);
  for (const auto& l : logged_) said |= l.find("killed by signal 9") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(KeyholderProcess, ASilentKeyHolderIsUnavailableThenReplaced) {
  std::string err;
  auto key = start({"--psk-file", write_secret("psk", kPsk)}, err, 500);
  ASSERT_TRUE(key) << err;
  const pid_t first = key->pid();
  ASSERT_EQ(kill(first, SIGSTOP), 0);  // alive but silent
  auto r = key->psk_auth(ike::Prf::HmacSha2_256, bytes("octets"), {});
  EXPECT_EQ(r.error, ike::KeyError::Unavailable);
  EXPECT_NE(r.detail.find("did not answer within 500 ms"), std::string::npos) << r.detail;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (key->restarts() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(key->restarts(), 1u);
  EXPECT_NE(key->pid(), first);
  EXPECT_TRUE(key->psk_auth(ike::Prf::HmacSha2_256, bytes("octets"), {}).ok());
}

TEST_F(KeyholderProcess, AShortPskIsRefusedAtStart) {
  std::string err;
  auto key = start({"--psk-file", write_secret("psk", "short")}, err);
  EXPECT_FALSE(key);
  EXPECT_EQ(err.find("short"), std::string::npos) << "no key material in the error";
  // The key holder's reason is the refusal, as the key in process would give it.
  EXPECT_EQ(err.rfind("psk-file " + dir_ + "/psk", 0), 0u) << err;
}

TEST_F(KeyholderProcess, TheKeySourceRoundTripsThroughItsArguments) {
  kh::KeySource src;
  src.psk_uri = "pkcs11:token=t;object=psk";
  src.pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
  src.pin_file = "/etc/linkcrypt/pin";
  const auto args = kh::key_source_args(src);
  EXPECT_EQ(args, (std::vector<std::string>{"--psk-uri", src.psk_uri, "--pkcs11-module", src.pkcs11_module,
                                            "--pin-file", src.pin_file}));
  kh::KeySource back;
  std::string err;
  for (size_t i = 0; i + 1 < args.size(); i += 2) ASSERT_TRUE(kh::take_key_source_arg(args[i], args[i + 1], back, err));
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_EQ(kh::key_source_args(back), args);
  EXPECT_TRUE(back.psk() && back.token());
  EXPECT_EQ(kh::check_key_source(back), "");
  EXPECT_EQ(back.text(), "psk-uri " + src.psk_uri);
  EXPECT_TRUE(kh::take_key_source_arg("--psk-file", "/x", back, err));
  EXPECT_NE(kh::check_key_source(back), "") << "two keys named";
  EXPECT_FALSE(kh::take_key_source_arg("--user", "x", back, err));
  EXPECT_TRUE(kh::take_key_source_arg("--pin-file", "/y", back, err));
  EXPECT_EQ(err, "--pin-file given twice");
}
