// Key-file parser and loader: accepted files, and one test for every rejection reason.
#include "key_file.h"

// GCC 12 false positive on std::string operator+ at -O3 (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace linkcrypt::config {
namespace {

const std::string kSak128 = "00112233445566778899aabbccddeeff";
const std::string kSak256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kSalt = "0102030405060708090a0b0c";

std::string xpn_file() {
  return "cipher-suite = gcm-aes-xpn-128\n"
         "[tx]\nsci = 020000000a000001\nan = 0\nsak = " + kSak128 + "\nssci = 00000001\nsalt = " + kSalt + "\n"
         "[rx]\nsci = 020000000b000001\nan = 1\nsak = " + kSak128 + "\nssci = 00000002\nsalt = " + kSalt + "\n";
}

KeyFileResult parse(const std::string& text, KeyFile& out) {
  return parse_key_file(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), out);
}
KeyFileError error_of(const std::string& text) {
  KeyFile k;
  return parse(text, k).error;
}

// A valid non-XPN file with `extra_tx` appended to the [tx] section.
std::string plain_file(const std::string& extra_tx = "", const std::string& suite = "gcm-aes-128") {
  return "cipher-suite = " + suite + "\n[tx]\nsci = 020000000a000001\nan = 0\nsak = " + kSak128 + "\n" +
         extra_tx + "[rx]\nsci = 020000000b000001\nan = 0\nsak = " + kSak128 + "\n";
}

TEST(KeyFile, ParsesXpnFile) {
  KeyFile k;
  ASSERT_TRUE(parse(xpn_file(), k).ok());
  EXPECT_EQ(k.suite, secy::CipherSuite::GcmAesXpn128);
  EXPECT_EQ(k.tx.sci, 0x020000000a000001ull);
  EXPECT_EQ(k.tx.an, 0);
  EXPECT_EQ(k.tx.ssci, 1u);
  EXPECT_EQ(k.tx.pn, 1u);
  ASSERT_EQ(k.tx.sak.size(), 16u);
  EXPECT_EQ(k.tx.sak.view()[0], 0x00);
  EXPECT_EQ(k.tx.sak.view()[15], 0xff);
  ASSERT_EQ(k.tx.salt.size(), 12u);
  EXPECT_EQ(k.tx.salt.view()[11], 0x0c);
  ASSERT_EQ(k.rx.size(), 1u);
  EXPECT_EQ(k.rx[0].sci, 0x020000000b000001ull);
  EXPECT_EQ(k.rx[0].an, 1);
  EXPECT_EQ(k.rx[0].ssci, 2u);
}

TEST(KeyFile, ParsesCommentsSeparatorsPnsAndSeveralRx) {
  const std::string text =
      "# lab keys\r\ncipher-suite = GCM-AES-256   # 32-bit PN\n\n"
      "[ tx ]\nsci = 02:00:00:00:0a:00:00:01\nan = 3\nsak = 0x" + kSak256 + "\nnext-pn = 0x100\n"
      "[rx]\nsci = 020000000b000001\nan = 2\nsak = " + kSak256 + "\nlowest-pn = 42\n"
      "[rx]\nsci = 020000000b000001\nan = 3\nsak = " + kSak256 + "\n";
  KeyFile k;
  ASSERT_TRUE(parse(text, k).ok());
  EXPECT_EQ(k.suite, secy::CipherSuite::GcmAes256);
  EXPECT_EQ(k.tx.an, 3);
  EXPECT_EQ(k.tx.pn, 0x100u);
  EXPECT_EQ(k.tx.sak.size(), 32u);
  EXPECT_TRUE(k.tx.salt.empty());
  ASSERT_EQ(k.rx.size(), 2u);
  EXPECT_EQ(k.rx[0].pn, 42u);
  EXPECT_EQ(k.rx[1].an, 3);
}

TEST(KeyFile, RejectsTooLargeAndLongLines) {
  EXPECT_EQ(error_of(std::string(kMaxKeyFileLen + 1, '#')), KeyFileError::TooLarge);
  EXPECT_EQ(error_of("#" + std::string(kMaxLineLen + 1, 'x') + "\n"), KeyFileError::LineTooLong);
}

TEST(KeyFile, RejectsBadCharacters) {
  EXPECT_EQ(error_of(std::string("cipher-suite = gcm-aes-128\x01\n")), KeyFileError::BadCharacter);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\xc3\xa9\n"), KeyFileError::BadCharacter);
  EXPECT_EQ(error_of(std::string("a\0b\n", 4)), KeyFileError::BadCharacter);
}

TEST(KeyFile, RejectsSyntax) {
  EXPECT_EQ(error_of("cipher-suite gcm-aes-128\n"), KeyFileError::BadSyntax);
  EXPECT_EQ(error_of("cipher-suite =\n"), KeyFileError::BadSyntax);
  EXPECT_EQ(error_of("= gcm-aes-128\n"), KeyFileError::BadSyntax);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx\n"), KeyFileError::BadSyntax);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[]\n"), KeyFileError::BadSyntax);
}

TEST(KeyFile, ReportsTheLineOfTheError) {
  KeyFile k;
  const auto r = parse("cipher-suite = gcm-aes-128\n\n[tx]\nbogus = 1\n", k);
  EXPECT_EQ(r.error, KeyFileError::UnknownKey);
  EXPECT_EQ(r.line, 4u);
}

TEST(KeyFile, RejectsUnknownSectionKeyAndDuplicates) {
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[peer]\n"), KeyFileError::UnknownSection);
  EXPECT_EQ(error_of(plain_file("colour = blue\n")), KeyFileError::UnknownKey);
  EXPECT_EQ(error_of(plain_file("lowest-pn = 5\n")), KeyFileError::UnknownKey);  // rx-only key in [tx]
  EXPECT_EQ(error_of(plain_file("an = 1\n")), KeyFileError::DuplicateKey);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\ncipher-suite = gcm-aes-128\n"), KeyFileError::DuplicateKey);
  EXPECT_EQ(error_of(plain_file("next-pn = 2\nnext-pn = 3\n")), KeyFileError::DuplicateKey);
}

TEST(KeyFile, RejectsKeysOutsideSectionsAndMissingSuite) {
  EXPECT_EQ(error_of("an = 0\n"), KeyFileError::KeyOutsideSection);
  EXPECT_EQ(error_of("[tx]\nan = 0\n"), KeyFileError::MissingCipherSuite);
  EXPECT_EQ(error_of("# nothing\n"), KeyFileError::MissingCipherSuite);
  EXPECT_EQ(error_of(""), KeyFileError::MissingCipherSuite);
}

TEST(KeyFile, RejectsUnknownCipherSuite) {
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-192\n"), KeyFileError::UnknownCipherSuite);
}

TEST(KeyFile, RejectsBadHexAndSakLength) {
  EXPECT_EQ(error_of(plain_file("", "gcm-aes-128").replace(plain_file().find(kSak128), 2, "zz")), KeyFileError::BadHex);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nsak = 001\n"), KeyFileError::BadHex);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nsak = " + kSak256 + "\n"), KeyFileError::BadSakLength);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-256\n[tx]\nsak = " + kSak128 + "\n"), KeyFileError::BadSakLength);
}

TEST(KeyFile, RejectsBadSciAnPn) {
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nsci = 0102030405\n"), KeyFileError::BadSci);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nsci = 010203040506070809\n"), KeyFileError::BadSci);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nan = 4\n"), KeyFileError::BadAn);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nan = -1\n"), KeyFileError::BadAn);
  EXPECT_EQ(error_of(plain_file("next-pn = 0\n")), KeyFileError::BadPn);
  EXPECT_EQ(error_of(plain_file("next-pn = 4294967296\n")), KeyFileError::BadPn);  // 2^32: 32-bit PN suite
  EXPECT_EQ(error_of(plain_file("next-pn = 12x\n")), KeyFileError::BadPn);
  EXPECT_EQ(error_of(plain_file("next-pn = 99999999999999999999999\n", "gcm-aes-xpn-128")), KeyFileError::BadPn);
}

TEST(KeyFile, XpnLimitsAndFields) {
  KeyFile k;
  std::string text = xpn_file();
  text.insert(text.find("[rx]"), "next-pn = 4294967296\n");  // fine with a 64-bit PN
  ASSERT_TRUE(parse(text, k).ok());
  EXPECT_EQ(k.tx.pn, 4294967296ull);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-xpn-128\n[tx]\nssci = 000001\n"), KeyFileError::BadSsci);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-xpn-128\n[tx]\nsalt = 0102\n"), KeyFileError::BadSalt);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-xpn-128\n[tx]\nsalt = 01zz\n"), KeyFileError::BadHex);
  EXPECT_EQ(error_of(plain_file("ssci = 00000001\n")), KeyFileError::XpnFieldWithoutXpn);
  EXPECT_EQ(error_of(plain_file("salt = " + kSalt + "\n")), KeyFileError::XpnFieldWithoutXpn);
}

TEST(KeyFile, RejectsMissingFields) {
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[tx]\nsci = 020000000a000001\nan = 0\n[rx]\n"),
            KeyFileError::MissingField);
  std::string no_salt = xpn_file();
  no_salt.erase(no_salt.find("salt"), std::string("salt = ").size() + kSalt.size() + 1);
  EXPECT_EQ(error_of(no_salt), KeyFileError::MissingField);
  EXPECT_EQ(error_of("cipher-suite = gcm-aes-128\n[rx]\nsci = 020000000b000001\nan = 0\n"),
            KeyFileError::MissingField);  // at end of file
}

TEST(KeyFile, RejectsSectionCounts) {
  const std::string tx = "[tx]\nsci = 020000000a000001\nan = 0\nsak = " + kSak128 + "\n";
  const std::string rx = "[rx]\nsci = 020000000b000001\nan = 0\nsak = " + kSak128 + "\n";
  const std::string head = "cipher-suite = gcm-aes-128\n";
  EXPECT_EQ(error_of(head + rx), KeyFileError::MissingTx);
  EXPECT_EQ(error_of(head + tx + tx + rx), KeyFileError::DuplicateTx);
  EXPECT_EQ(error_of(head + tx), KeyFileError::MissingRx);
  EXPECT_EQ(error_of(head + tx + rx + rx), KeyFileError::DuplicateRxSa);
  std::string many = head + tx;
  for (size_t i = 0; i <= kMaxRxSas; ++i) {
    many += "[rx]\nsci = 02000000" + std::string(1, "0123456789abcdef"[i % 16]) + "b000001\nan = 0\nsak = " + kSak128 + "\n";
  }
  EXPECT_EQ(error_of(many), KeyFileError::TooManyRx);
}

// Issue 15 §4: one SAK in both directions with the same nonce inputs reuses GCM nonces.
TEST(KeyFile, RefusesNonceReuseAcrossDirections) {
  const std::string sak = "sak = " + kSak128 + "\n";
  const std::string plain = "cipher-suite = gcm-aes-128\n[tx]\nsci = 020000000a000001\nan = 0\n" + sak;
  // Same SAK, same SCI: SCI||PN repeats.
  EXPECT_EQ(error_of(plain + "[rx]\nsci = 020000000a000001\nan = 1\n" + sak), KeyFileError::SameSakAndSci);
  EXPECT_EQ(error_of(plain + "[rx]\nsci = 020000000b000001\nan = 1\n" + sak +
                     "[rx]\nsci = 020000000a000001\nan = 2\n" + sak),
            KeyFileError::SameSakAndSci);
  // Same SAK with another SCI, or the same SCI with another SAK, is no reuse.
  EXPECT_EQ(error_of(plain + "[rx]\nsci = 020000000b000001\nan = 1\n" + sak), KeyFileError::Ok);
  EXPECT_EQ(error_of(plain + "[rx]\nsci = 020000000a000001\nan = 1\nsak = " + std::string(32, 'e') + "\n"),
            KeyFileError::Ok);
  // XPN: the same SAK, SSCI and salt in [tx] and [rx] (the red-team file), and any shared SSCI.
  const std::string x = "ssci = 00000001\nsalt = " + kSalt + "\n";
  const std::string xpn = "cipher-suite = gcm-aes-xpn-128\n[tx]\nsci = 020000000a000001\nan = 0\n" + sak + x;
  EXPECT_EQ(error_of(xpn + "[rx]\nsci = 020000000b000001\nan = 0\n" + sak + x), KeyFileError::SameSsci);
  EXPECT_EQ(error_of(xpn + "[rx]\nsci = 020000000b000001\nan = 0\nsak = " + std::string(32, 'e') + "\n" + x),
            KeyFileError::SameSsci);
  EXPECT_EQ(error_of(xpn_file()), KeyFileError::Ok);
  EXPECT_NE(key_file_error_name(KeyFileError::SameSsci).find("SSCI must differ"), std::string::npos);
}

TEST(KeyFile, EveryErrorHasAName) {
  for (int e = 0; e <= static_cast<int>(kLastKeyFileError); ++e) {
    EXPECT_NE(key_file_error_name(static_cast<KeyFileError>(e)), "unknown");
  }
}

class KeyFileLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lc_keyfile_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFileLoad, AcceptsMode0600And0400) {
  KeyFile k;
  EXPECT_EQ(load_key_file(write("a", xpn_file(), 0600), k), "");
  EXPECT_EQ(k.rx.size(), 1u);
  EXPECT_EQ(load_key_file(write("b", xpn_file(), 0400), k), "");
}

TEST_F(KeyFileLoad, RefusesGroupOrWorldAccess) {
  for (mode_t mode : {0640, 0604, 0644, 0660, 0610}) {
    KeyFile k;
    const std::string msg = load_key_file(write("m" + std::to_string(mode), xpn_file(), mode), k);
    EXPECT_NE(msg.find("group/world access is refused"), std::string::npos) << msg;
    EXPECT_NE(msg.find("chmod 600"), std::string::npos);
  }
}

TEST_F(KeyFileLoad, RefusesSymlinksDirectoriesAndMissingFiles) {
  KeyFile k;
  const std::string target = write("t", xpn_file(), 0600);
  const std::string link = (dir_ / "link").string();
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_NE(load_key_file(link, k), "");
  EXPECT_NE(load_key_file(dir_.string(), k).find("not a regular file"), std::string::npos);
  EXPECT_NE(load_key_file((dir_ / "missing").string(), k).find("cannot open"), std::string::npos);
}

TEST_F(KeyFileLoad, MessageNamesLineAndNeverTheKey) {
  KeyFile k;
  const std::string text = "cipher-suite = gcm-aes-128\n[tx]\nsak = " + kSak256 + "\n";
  const std::string msg = load_key_file(write("bad", text, 0600), k);
  EXPECT_NE(msg.find(":3: SAK length"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kSak256.substr(0, 8)), std::string::npos);
}

}  // namespace
}  // namespace linkcrypt::config
