// Manual keying: the key file's parsed form and its typed rejection reasons (docs/keyfile.md).
#pragma once

#include "cipher_suite.h"
#include "secret.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::config {

// Every way a key file can be refused. Parsing stops at the first one and reports its line.
enum class KeyFileError : uint8_t {
  Ok,
  TooLarge,            // more than kMaxKeyFileLen octets
  LineTooLong,         // a line over kMaxLineLen octets
  BadCharacter,        // a control or non-ASCII octet
  BadSyntax,           // neither "[section]", "key = value", a comment nor blank
  UnknownSection,      // a section other than [tx] / [rx]
  UnknownKey,          // a key the section does not know
  DuplicateKey,        // the same key twice in one section
  KeyOutsideSection,   // only cipher-suite may precede the first section
  UnknownCipherSuite,  // not one of the four 802.1AE Table 14-1 names
  MissingCipherSuite,
  BadHex,              // a hex value with a bad digit or odd digit count
  BadSakLength,        // SAK length differs from the suite's (14.5/14.6: 16 or 32 octets)
  BadSci,              // not 8 octets (8.2.1: MAC address and port number)
  BadAn,               // not 0..3 (10.7.14: 2-bit association number)
  BadPn,               // not a decimal/hex number, 0, or beyond the suite's PN space
  BadSsci,             // not 4 octets (14.7)
  BadSalt,             // not 12 octets (14.7)
  XpnFieldWithoutXpn,  // ssci/salt given for a non-XPN suite
  MissingField,        // a section lacks sci, an, sak (or ssci/salt under XPN)
  MissingTx,           // no [tx] section
  DuplicateTx,         // more than one [tx] section
  MissingRx,           // no [rx] section
  TooManyRx,           // more than kMaxRxSas [rx] sections
  DuplicateRxSa,       // two [rx] sections with the same SCI and AN
  SameSakAndSci,       // [tx] and an [rx] share SAK and SCI: the same (key, SCI||PN) GCM nonces
  SameSsci,            // XPN: [tx] and an [rx] share the SSCI (docs/keyfile.md: must differ)
};

[[nodiscard]] std::string_view key_file_error_name(KeyFileError e);
inline constexpr KeyFileError kLastKeyFileError = KeyFileError::SameSsci;

inline constexpr size_t kMaxKeyFileLen = 64 * 1024;
inline constexpr size_t kMaxLineLen = 512;
inline constexpr size_t kMaxRxSas = 16;

struct SaKeyEntry {
  secy::Sci sci = 0;
  uint8_t an = 0;
  SecretBytes sak;    // 16 or 32 octets
  uint32_t ssci = 0;  // XPN only
  SecretBytes salt;   // XPN only: 12 octets; empty otherwise
  uint64_t pn = 1;    // TX: next PN; RX: lowest acceptable PN
};

struct KeyFile {
  secy::CipherSuite suite = secy::CipherSuite::GcmAesXpn128;
  SaKeyEntry tx;
  std::vector<SaKeyEntry> rx;
};

struct KeyFileResult {
  KeyFileError error = KeyFileError::Ok;
  size_t line = 0;  // 1-based line of the error, 0 when it concerns the whole file
  [[nodiscard]] bool ok() const { return error == KeyFileError::Ok; }
};

// Parses untrusted key-file text. On error `out` is left in an unspecified (but wiped-on-
// destruction) state. Never throws, never reads outside `text`.
[[nodiscard]] KeyFileResult parse_key_file(std::span<const uint8_t> text, KeyFile& out);

// Reads `path` with the common secret-file loader (common/secret_file.h: no symlink, a regular
// file owned by the daemon's user, mode 0600 or stricter, 1 octet .. kMaxKeyFileLen) into wiped
// memory and parses it. Returns "" on success or a
// clear one-line message (never containing key bytes) on failure.
[[nodiscard]] std::string load_key_file(const std::string& path, KeyFile& out);

}  // namespace linkcrypt::config
