// The MKA keychain file: what it accepts, every refusal with its line, the 0600 rule of the one
// secret-file loader, and the placing of UTC lifetimes on the steady clock.
#include "keychain_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace linkcrypt::mka {
namespace {

using namespace std::chrono_literals;

KeychainResult parse(std::string_view text, KeychainFile& f) {
  return parse_keychain(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), f);
}

constexpr std::string_view kGood = R"(# the link to the carrier
[cak]
ckn = 0123456789abcdef0123456789abcdef
cak = 00112233445566778899aabbccddeeff
end = 2027-01-08T00:00:00Z
[cak]   # its successor, overlapping a week
ckn = 0123456789abcdef0123456789abcd02
cak = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
start = 2027-01-01T00:00:00Z
[fallback]
ckn = fb
cak = pkcs11:token=linkcrypt;object=mka-fallback
)";

TEST(MkaKeychainFile, ParsesPrimariesWithLifetimesAndAFallback) {
  KeychainFile f;
  const auto r = parse(kGood, f);
  ASSERT_TRUE(r.ok()) << keychain_error_name(r.error) << " line " << r.line;
  ASSERT_EQ(f.keys.size(), 3u);
  EXPECT_EQ(f.keys[0].ckn.size(), 16u);
  EXPECT_EQ(f.keys[0].cak.size(), 16u);
  EXPECT_FALSE(f.keys[0].start);
  ASSERT_TRUE(f.keys[0].end);
  // 2027-01-08T00:00:00Z is 1799366400 s after the epoch (date -u -d 2027-01-08 +%s).
  EXPECT_EQ(f.keys[0].end->time_since_epoch().count(), 1799366400);
  EXPECT_EQ(f.keys[1].cak.size(), 32u);
  EXPECT_EQ(f.keys[1].start->time_since_epoch().count(), 1799366400 - 7 * 86400);
  EXPECT_TRUE(f.keys[2].fallback);
  EXPECT_TRUE(f.keys[2].cak.size() == 0 && f.keys[2].cak_uri == "pkcs11:token=linkcrypt;object=mka-fallback");
}

TEST(MkaKeychainFile, RefusesEachMistakeWithItsLine) {
  const std::string head = "[cak]\nckn = 01\ncak = 000102030405060708090a0b0c0d0e0f\n";
  struct Case {
    std::string text;
    KeychainError error;
    size_t line;
  };
  const std::vector<Case> cases = {
      {"ckn = 01\n", KeychainError::KeyOutsideSection, 1},
      {"[psk]\n", KeychainError::UnknownSection, 1},
      {head + "colour = blue\n", KeychainError::UnknownKey, 4},
      {head + "ckn = 02\n", KeychainError::DuplicateKey, 4},
      {"[cak]\nckn = \n", KeychainError::BadSyntax, 2},
      {"[cak]\nckn = 0x" + std::string(66, 'a') + "\n", KeychainError::BadCkn, 2},
      {"[cak]\ncak = 0001\n", KeychainError::BadCak, 2},
      {"[cak]\ncak = 000102030405060708090a0b0c0d0e0f00010203040506070809\n", KeychainError::BadCak, 2},
      {head + "start = 2027-02-30T00:00:00Z\n", KeychainError::BadTime, 4},
      {head + "start = 2027-01-01 00:00:00\n", KeychainError::BadTime, 4},
      {head + "start = 2027-01-02T00:00:00Z\nend = 2027-01-01T00:00:00Z\n", KeychainError::EndNotAfterStart, 5},
      {"[cak]\nckn = 01\n", KeychainError::MissingField, 2},
      {head + "[cak]\nckn = 01\ncak = 000102030405060708090a0b0c0d0e0f\n", KeychainError::DuplicateCkn, 6},
      {head + "[fallback]\nckn = 02\ncak = 000102030405060708090a0b0c0d0e0f\nend = 2027-01-01T00:00:00Z\n",
       KeychainError::TimesOnFallback, 7},
      {head + "[fallback]\nckn = 02\ncak = 000102030405060708090a0b0c0d0e0f\n[fallback]\nckn = 03\n"
              "cak = 000102030405060708090a0b0c0d0e0f\n",
       KeychainError::TwoFallbacks, 0},
      {"[fallback]\nckn = 02\ncak = 000102030405060708090a0b0c0d0e0f\n", KeychainError::NoPrimary, 0},
      {"", KeychainError::NoPrimary, 0},
      {head + "# \x01\n", KeychainError::BadCharacter, 4},
      {std::string(600, '#') + "\n", KeychainError::LineTooLong, 1},
  };
  for (const auto& c : cases) {
    KeychainFile f;
    const auto r = parse(c.text, f);
    EXPECT_EQ(r.error, c.error) << c.text << " -> " << keychain_error_name(r.error);
    EXPECT_EQ(r.line, c.line) << c.text;
  }
  std::string many;
  for (int i = 0; i < 9; ++i) many += "[cak]\nckn = 0" + std::to_string(i) + "\ncak = 000102030405060708090a0b0c0d0e0f\n";
  KeychainFile f;
  EXPECT_EQ(parse(many, f).error, KeychainError::TooManyKeys);
  EXPECT_EQ(parse(std::string(kMaxKeychainFileLen + 1, '#'), f).error, KeychainError::TooLarge);
}

TEST(MkaKeychainFile, LoadsOnlyAPrivateFileAndNamesNoKey) {
  char dir[] = "/tmp/mka_keychain_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/keychain";
  {
    std::ofstream o(path);
    o << "[cak]\nckn = 01\ncak = 000102030405060708090a0b0c0d0e0f\n[cak]\nckn = 02\ncak = 0001\n";
  }
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  KeychainFile f;
  std::string err = load_keychain(path, f);
  EXPECT_NE(err.find("mka keychain"), std::string::npos) << err;
  EXPECT_TRUE(f.keys.empty()) << "a file others can read is refused before it is parsed";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  err = load_keychain(path, f);
  EXPECT_EQ(err, path.empty() ? "" : "mka keychain " + path + ":6: cak must be 16 or 32 octets of hex, or a pkcs11: URI");
  EXPECT_EQ(err.find("000102"), std::string::npos);
  {
    std::ofstream o(path);
    o << kGood;
  }
  EXPECT_EQ(load_keychain(path, f), "");
  EXPECT_EQ(f.keys.size(), 3u);
  std::remove(path.c_str());
  rmdir(dir);
}

TEST(MkaKeychainFile, LifetimesArePlacedOnTheSteadyClock) {
  KeychainFile f;
  ASSERT_TRUE(parse(kGood, f).ok());
  const auto now_sys = std::chrono::system_clock::time_point(std::chrono::seconds(1799366400 - 10 * 86400));
  const TimePoint now_steady{std::chrono::hours(1)};
  const auto keys = chain_keys(f, now_sys, now_steady);
  ASSERT_EQ(keys.size(), 2u) << "the pkcs11: fallback is left to the daemon";
  EXPECT_EQ(keys[0].start, TimePoint::min());
  EXPECT_EQ(keys[0].end, now_steady + std::chrono::hours(10 * 24));
  EXPECT_EQ(keys[1].start, now_steady + std::chrono::hours(3 * 24));
  EXPECT_EQ(keys[1].end, TimePoint::max());
  EXPECT_EQ(keys[1].cak.size(), 32u);
}

}  // namespace
}  // namespace linkcrypt::mka
