// The MKA keychain file (docs/mka.md): [cak] and [fallback] sections of CKN, CAK (hex or a pkcs11: URI) and optional UTC lifetimes; parsed and checked, loaded through the one secret-file loader (mode 0600).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cak_chain.h"
#include "secret.h"

namespace linkcrypt::mka {

enum class KeychainError : uint8_t {
  Ok,
  TooLarge,           // more than kMaxKeychainFileLen octets
  LineTooLong,        // a line over kMaxKeychainLineLen octets
  BadCharacter,       // a control or non-ASCII octet
  BadSyntax,          // neither "[section]", "key = value", a comment nor blank
  UnknownSection,     // a section other than [cak] / [fallback]
  UnknownKey,         // a key other than ckn, cak, start, end
  DuplicateKey,       // the same key twice in one section
  KeyOutsideSection,  // a key before the first section
  BadCkn,             // not 1..32 octets of hex (802.1X-2020 9.3.1)
  BadCak,             // not 16 or 32 octets of hex, nor a pkcs11: URI
  BadTime,            // not YYYY-MM-DDTHH:MM:SSZ
  EndNotAfterStart,   // end <= start
  TimesOnFallback,    // the fallback has no lifetime: it is used whenever no primary comes up
  MissingField,       // a section without ckn or cak
  TooManyKeys,        // more than kMaxKeychainKeys sections
  DuplicateCkn,       // two sections with one CKN
  TwoFallbacks,       // more than one [fallback]
  NoPrimary,          // no [cak] section
};

[[nodiscard]] std::string_view keychain_error_name(KeychainError e);
inline constexpr KeychainError kLastKeychainError = KeychainError::NoPrimary;

inline constexpr size_t kMaxKeychainFileLen = 16 * 1024;
inline constexpr size_t kMaxKeychainLineLen = 512;
inline constexpr size_t kMaxKeychainKeys = 8;

using SysSeconds = std::chrono::sys_seconds;

struct KeychainEntry {
  std::vector<uint8_t> ckn;
  SecretBytes cak;      // the key, when given in hex
  std::string cak_uri;  // or the RFC 7512 URI of a token's AES key (resolved by custody)
  bool fallback = false;
  std::optional<SysSeconds> start, end;  // UTC
};

struct KeychainFile {
  std::vector<KeychainEntry> keys;
};

struct KeychainResult {
  KeychainError error = KeychainError::Ok;
  size_t line = 0;  // 1-based; 0 for whole-file checks
  [[nodiscard]] bool ok() const { return error == KeychainError::Ok; }
};

[[nodiscard]] KeychainResult parse_keychain(std::span<const uint8_t> text, KeychainFile& out);
// Through load_secret_file (regular file, owned by us, mode & 077 == 0). "" or one error line
// naming the path and line, never any key.
[[nodiscard]] std::string load_keychain(const std::string& path, KeychainFile& out);

// The chain's keys, with the file's UTC lifetimes placed on the steady clock (now_sys and
// now_steady are the same instant). Entries with a cak_uri are skipped: the daemon opens those
// through custody. The CAKs are cloned; the file keeps its own.
[[nodiscard]] std::vector<ChainKey> chain_keys(const KeychainFile& file, std::chrono::system_clock::time_point now_sys,
                                               TimePoint now_steady);

}  // namespace linkcrypt::mka
