// The audit decorator: one record per use with the context, counts for `keys`, the JSON line's fields; a file PSK's fingerprint does not reveal it.
#include "audit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "file_key.h"

namespace linkcrypt::custody {
namespace {

TEST(Audit, EveryUseIsOneRecordWithItsContext) {
  char dir[] = "/tmp/custody-audit-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string psk_path = std::string(dir) + "/psk", log_path = std::string(dir) + "/audit.jsonl";
  const std::string psk = "0123456789abcdef0123456789abcdef";
  {
    std::ofstream(psk_path) << psk;
  }
  ASSERT_EQ(chmod(psk_path.c_str(), 0600), 0);
  std::string error;
  auto file_key = open_psk_file(psk_path, error);
  ASSERT_TRUE(file_key) << error;
  std::vector<LogEvent> logged;
  AuditSink sink([&](const LogEvent& e) { logged.push_back(e); });
  ASSERT_EQ(sink.open_json_file(log_path), "");
  auto key = audited(file_key, sink);
  ASSERT_EQ(sink.stats().size(), 1u);
  EXPECT_EQ(sink.stats()[0].uses, 0u);

  const std::vector<uint8_t> octets(40, 1);
  ike::KeyUseContext use{ike::KeyPurpose::OurAuth, 0x1122334455667788, 0x99, ike::Identity::fqdn("peer.test")};
  EXPECT_TRUE(key->psk_auth(ike::Prf::HmacSha2_256, octets, use).ok());
  use.purpose = ike::KeyPurpose::VerifyPeerAuth;
  EXPECT_TRUE(key->psk_auth(ike::Prf::HmacSha2_256, octets, use).ok());
  EXPECT_EQ(key->sign(octets, use).error, ike::KeyError::Unsupported);

  const auto st = sink.stats();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].uses, 3u);
  EXPECT_EQ(st[0].failures, 1u);
  EXPECT_EQ(st[0].last_result, "Unsupported");
  ASSERT_EQ(logged.size(), 3u);
  std::ifstream in(log_path);
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["operation"], "psk_auth");
  EXPECT_EQ(lines[0]["purpose"], "our_auth");
  EXPECT_EQ(lines[1]["purpose"], "verify_peer_auth");
  EXPECT_EQ(lines[0]["peer"], "peer.test");
  EXPECT_EQ(lines[0]["spi_i"], "1122334455667788");
  EXPECT_EQ(lines[0]["spi_r"], "0000000000000099");
  EXPECT_EQ(lines[0]["result"], "ok");
  EXPECT_EQ(lines[2]["result"], "Unsupported");
  EXPECT_EQ(lines[0]["key"], "psk-file " + psk_path);
  const std::string fp = lines[0]["fingerprint"];
  EXPECT_EQ(fp.rfind("hmac-sha256:", 0), 0u);
  EXPECT_EQ(fp.size(), 12u + 32u);
  // Neither the PSK nor its hex appears anywhere in the trail.
  std::ifstream all(log_path);
  const std::string text((std::istreambuf_iterator<char>(all)), {});
  EXPECT_EQ(text.find(psk), std::string::npos);
  for (const auto& e : logged) EXPECT_EQ(e.message.find(psk), std::string::npos);
  struct stat sb {};
  ASSERT_EQ(stat(log_path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  unlink(psk_path.c_str());
  unlink(log_path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace linkcrypt::custody
