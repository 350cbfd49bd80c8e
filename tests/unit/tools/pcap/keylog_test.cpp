// Unit tests for the keylog as linkcrypt-pcap reads it: each field, each refusal, times, and the per-frame SA schedule.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "keylog_file.h"
#include "sa_schedule.h"

namespace linkcrypt::pcaptool {
namespace {

constexpr const char* kXpnLine =
    "MACSEC_SA sci=0200000a00010001 an=1 key_id=1a2b3c4d5e6f7081 suite=gcm-aes-xpn-128 "
    "sak=000102030405060708090a0b0c0d0e0f ssci=00000001 salt=101112131415161718191a1b "
    "installed=2026-12-06T11:40:02.123456789Z dir=tx";
constexpr const char* kManualLine =
    "MACSEC_SA sci=12153524C0895E81 an=0 key_id=- suite=gcm-aes-256 "
    "sak=E3C08A8F06C6E3AD95A70557B23F75483CE33021A9C72B7025666204C69C0B72 ssci=- salt=- installed=- dir=-";

KeylogResult parse_text(const std::string& text, std::vector<KeylogSa>& out) {
  return parse_keylog({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, out);
}

TEST(KeylogParse, ReadsEveryFieldOfAnXpnAndAManualLine) {
  std::vector<KeylogSa> sas;
  const auto r = parse_text(std::string("# comment\n\n") + kXpnLine + "\r\n" + kManualLine + "\n", sas);
  ASSERT_TRUE(r.ok()) << describe_keylog_error(r);
  ASSERT_EQ(sas.size(), 2u);
  const auto& x = sas[0];
  EXPECT_EQ(x.line, 3u);
  EXPECT_EQ(x.sci, 0x0200000a00010001ull);
  EXPECT_EQ(x.an, 1);
  ASSERT_TRUE(x.key_id);
  EXPECT_EQ(*x.key_id, 0x1a2b3c4d5e6f7081ull);
  EXPECT_EQ(x.suite, secy::CipherSuite::GcmAesXpn128);
  ASSERT_EQ(x.sak.size(), 16u);
  EXPECT_EQ(x.sak.view()[15], 0x0f);
  EXPECT_EQ(x.xpn.ssci, 1u);
  EXPECT_EQ(x.xpn.salt[0], 0x10);
  EXPECT_EQ(x.xpn.salt[11], 0x1b);
  ASSERT_TRUE(x.installed_ns);
  EXPECT_EQ(*x.installed_ns, 1796557202123456789ll);  // date -ud 2026-12-06T11:40:02Z +%s = 1796557202
  EXPECT_EQ(x.direction, "tx");
  const auto& m = sas[1];
  EXPECT_EQ(m.line, 4u);
  EXPECT_FALSE(m.key_id);
  EXPECT_FALSE(m.installed_ns);
  EXPECT_EQ(m.direction, "");
  EXPECT_EQ(m.sak.size(), 32u);
}

TEST(KeylogParse, IgnoresFieldsOfANewerDaemonAndAcceptsTheMinimalLine) {
  std::vector<KeylogSa> sas;
  const auto r = parse_text(
      "MACSEC_SA sci=12153524c0895e81 an=3 suite=gcm-aes-128 sak=ad7a2bd03eac835a6f620fdcb506b345 lowest_pn=7\n", sas);
  ASSERT_TRUE(r.ok()) << describe_keylog_error(r);
  ASSERT_EQ(sas.size(), 1u);
  EXPECT_EQ(sas[0].an, 3);
}

TEST(KeylogParse, RefusesEachBadLineWithItsReasonAndNeverShowsTheKey) {
  const std::string base = kXpnLine;
  auto with = [&](const std::string& field, const std::string& value) {
    std::string s = base;
    const size_t at = s.find(" " + field + "=");
    const size_t end = s.find(' ', at + 1);
    return s.substr(0, at) + " " + field + "=" + value + (end == std::string::npos ? "" : s.substr(end));
  };
  auto without = [&](const std::string& field) {
    std::string s = base;
    const size_t at = s.find(" " + field + "=");
    const size_t end = s.find(' ', at + 1);
    return s.substr(0, at) + (end == std::string::npos ? "" : s.substr(end));
  };
  struct Case {
    std::string text;
    KeylogError error;
  };
  const std::vector<Case> cases = {
      {"", KeylogError::NoSas},
      {"# only a comment\n", KeylogError::NoSas},
      {"CLIENT_RANDOM 00 11\n", KeylogError::UnknownRecord},
      {"MACSEC_SAX sci=1\n", KeylogError::UnknownRecord},
      {base + " oops", KeylogError::BadSyntax},
      {base + " an=2", KeylogError::DuplicateField},
      {without("sci"), KeylogError::MissingField},
      {without("sak"), KeylogError::MissingField},
      {without("ssci"), KeylogError::MissingField},
      {with("salt", "-"), KeylogError::MissingField},
      {with("sci", "0200000a0001000"), KeylogError::BadSci},
      {with("sci", "0200000a0001000g"), KeylogError::BadSci},
      {with("an", "4"), KeylogError::BadAn},
      {with("an", "01"), KeylogError::BadAn},
      {with("key_id", "123"), KeylogError::BadKeyId},
      {with("suite", "gcm-aes-192"), KeylogError::UnknownSuite},
      {with("sak", "000102030405060708090a0b0c0d0e"), KeylogError::BadSak},
      {with("sak", "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f"), KeylogError::BadSak},
      {with("ssci", "0001"), KeylogError::BadSsci},
      {with("salt", "1011121314151617"), KeylogError::BadSalt},
      {with("suite", "gcm-aes-128"), KeylogError::XpnFieldWithoutXpn},
      {with("installed", "2026-12-06_11:40:02Z"), KeylogError::BadTime},
      {with("installed", "2026-02-30T11:40:02Z"), KeylogError::BadTime},
      {with("installed", "2026-12-06T24:00:00Z"), KeylogError::BadTime},
      {with("installed", "2026-12-06T11:40:02.1234567890Z"), KeylogError::BadTime},
      {with("installed", "2026-12-06T11:40:02+01:00"), KeylogError::BadTime},
      {with("dir", "both"), KeylogError::BadDirection},
      {base + " \x01", KeylogError::BadCharacter},
      {std::string(2000, '#'), KeylogError::LineTooLong},
  };
  for (const auto& c : cases) {
    std::vector<KeylogSa> sas;
    const auto r = parse_text(c.text, sas);
    EXPECT_EQ(r.error, c.error) << "got " << keylog_error_name(r.error) << " for: " << c.text;
    EXPECT_EQ(describe_keylog_error(r).find("000102030405"), std::string::npos) << "the key must never be shown";
  }
}

TEST(KeylogTimes, ParseAndFormatAreExactInverses) {
  for (const char* t : {"1970-01-01T00:00:00.000000000Z", "2024-02-29T23:59:59.999999999Z",
                        "2026-12-06T11:40:02.123456789Z", "2261-12-31T23:59:59.000000001Z"}) {
    const auto ns = parse_utc_ns(t);
    ASSERT_TRUE(ns) << t;
    EXPECT_EQ(format_utc_ns(*ns), t);
  }
  EXPECT_EQ(parse_utc_ns("2026-12-06T11:40:02Z"), parse_utc_ns("2026-12-06T11:40:02.000Z"));
  EXPECT_EQ(*parse_utc_ns("2026-12-06T11:40:02.5Z") - *parse_utc_ns("2026-12-06T11:40:02Z"), 500000000);
  EXPECT_FALSE(parse_utc_ns("1969-12-31T23:59:59Z"));
}

KeylogSa sa_at(secy::Sci sci, uint8_t an, std::optional<int64_t> when, uint8_t key_byte, size_t line) {
  KeylogSa sa;
  sa.sci = sci;
  sa.an = an;
  sa.suite = secy::CipherSuite::GcmAes128;
  std::vector<uint8_t> key(16, key_byte);
  sa.sak = SecretBytes(key);
  sa.installed_ns = when;
  sa.line = line;
  return sa;
}

// An AN comes back every fourth rotation: time picks the SA, then the one before, then the next.
TEST(SaSchedule, TriesNewestBeforeTheFrameThenThePreviousThenTheNext) {
  std::vector<KeylogSa> v;
  v.push_back(sa_at(1, 0, 1000, 0xA0, 1));
  v.push_back(sa_at(1, 1, 2000, 0xA1, 2));
  v.push_back(sa_at(1, 0, 5000, 0xA2, 3));  // AN 0 again, four rotations later
  v.push_back(sa_at(1, 0, 9000, 0xA3, 4));
  v.push_back(sa_at(2, 0, 1500, 0xB0, 5));  // the other direction
  const SaSchedule s(std::move(v));
  ASSERT_EQ(s.scis().size(), 2u);
  auto lines = [&](secy::Sci sci, uint8_t an, int64_t t) {
    std::vector<size_t> out;
    const auto c = s.candidates(sci, an, t);
    for (size_t i = 0; i < c.count; ++i) out.push_back(s.sas()[c.index[i]].line);
    return out;
  };
  EXPECT_EQ(lines(1, 0, 6000), (std::vector<size_t>{3, 1, 4}));
  EXPECT_EQ(lines(1, 0, 5000), (std::vector<size_t>{3, 1, 4})) << "installed at the frame's instant counts";
  EXPECT_EQ(lines(1, 0, 9500), (std::vector<size_t>{4, 3}));
  EXPECT_EQ(lines(1, 0, 500), (std::vector<size_t>{1})) << "before every install: the first one";
  EXPECT_EQ(lines(1, 1, 2500), (std::vector<size_t>{2}));
  EXPECT_EQ(lines(2, 0, 1), (std::vector<size_t>{5}));
  EXPECT_TRUE(lines(1, 2, 6000).empty());
  EXPECT_TRUE(lines(3, 0, 6000).empty());
}

TEST(SaSchedule, KeepsEachKeyOnceAtItsEarliestTime) {
  std::vector<KeylogSa> v;
  v.push_back(sa_at(1, 0, 3000, 0xA0, 1));  // the receiver's rx line, logged later
  v.push_back(sa_at(1, 0, 2000, 0xA0, 2));  // the sender's tx line of the same key
  v.push_back(sa_at(1, 0, std::nullopt, 0xC0, 3));  // a manual key: before everything
  const SaSchedule s(std::move(v));
  ASSERT_EQ(s.sas().size(), 2u);
  EXPECT_EQ(*s.sas()[0].installed_ns, 2000);
  const auto c = s.candidates(1, 0, 2500);
  ASSERT_EQ(c.count, 2u);
  EXPECT_EQ(s.sas()[c.index[0]].line, 1u);
  EXPECT_EQ(s.sas()[c.index[1]].line, 3u);
}

TEST(KeylogLoad, RefusesAFileOthersMayReadAndReadsAPrivateOne) {
  char tmpl[] = "/tmp/linkcrypt-keylog-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const auto path = (dir / "keylog").string();
  std::ofstream(path) << kXpnLine << "\n";
  std::vector<KeylogSa> sas;
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  EXPECT_NE(load_keylog(path, sas).find("chmod 600"), std::string::npos);
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_EQ(load_keylog(path, sas), "");
  EXPECT_EQ(sas.size(), 1u);
  const auto link = (dir / "link").string();
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  EXPECT_NE(load_keylog(link, sas).find("symbolic link"), std::string::npos);
  std::ofstream(path, std::ios::app) << "MACSEC_SA an=9\n";
  EXPECT_NE(load_keylog(path, sas).find("line 2"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linkcrypt::pcaptool
