// The keylog that `linkcryptd --keylog` writes (docs/keylog.md), parsed for linkcrypt-pcap: one SA per line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cipher_suite.h"
#include "sa.h"
#include "secret.h"

namespace linkcrypt::pcaptool {

// One `MACSEC_SA` line: everything needed to validate the frames of one receive SA.
struct KeylogSa {
  size_t line = 0;                      // 1-based line in the keylog: how the tool names the SA
  secy::Sci sci = 0;
  uint8_t an = 0;
  std::optional<uint64_t> key_id;       // "-": none (manual keys)
  secy::CipherSuite suite = secy::CipherSuite::GcmAesXpn256;
  SecretBytes sak;                      // sak_len(suite) octets
  secy::XpnParams xpn;                  // XPN suites only
  std::optional<int64_t> installed_ns;  // "-": valid from the start of any capture
  std::string direction;                // "tx" | "rx" | "" ("-"): whose log it came from
  [[nodiscard]] KeylogSa clone() const;
};

// Every way a keylog is refused. Parsing stops at the first one and reports its line.
enum class KeylogError : uint8_t {
  Ok,
  TooLarge,            // more than kMaxKeylogLen octets
  LineTooLong,         // a line over kMaxKeylogLineLen octets
  BadCharacter,        // a control or non-ASCII octet
  UnknownRecord,       // a line that is neither a comment nor MACSEC_SA
  BadSyntax,           // a field that is not name=value
  DuplicateField,
  MissingField,        // sci, an, suite, sak (and ssci, salt for XPN) are required
  BadSci,              // not 16 hex digits
  BadAn,               // not 0..3
  BadKeyId,            // not 16 hex digits or "-"
  UnknownSuite,        // not one of the four 802.1AE Table 14-1 names
  BadSak,              // bad hex, or not the suite's length (16 or 32 octets)
  BadSsci,             // not 8 hex digits
  BadSalt,             // not 24 hex digits
  XpnFieldWithoutXpn,  // ssci/salt other than "-" with a 32-bit PN suite
  BadTime,             // installed is not YYYY-MM-DDTHH:MM:SS[.fraction]Z (UTC) or "-"
  BadDirection,        // dir other than tx, rx or "-"
  TooManySas,          // more than kMaxKeylogSas lines
  NoSas,               // not one MACSEC_SA line
};

inline constexpr size_t kMaxKeylogLen = 64u * 1024 * 1024;  // ~250k SAs: years of hourly rotations
inline constexpr size_t kMaxKeylogLineLen = 1024;
inline constexpr size_t kMaxKeylogSas = 300000;

struct KeylogResult {
  KeylogError error = KeylogError::Ok;
  size_t line = 0;         // 1-based line of the error, 0 when it concerns the whole file
  std::string field;       // the field's name when one is at fault
  [[nodiscard]] bool ok() const { return error == KeylogError::Ok; }
};

[[nodiscard]] std::string_view keylog_error_name(KeylogError e);
// One line for the operator; never contains key bytes.
[[nodiscard]] std::string describe_keylog_error(const KeylogResult& r);

// Parses keylog text (untrusted: hand-written or concatenated files too). Blank lines and
// '#' comments are skipped; unknown name=value fields are ignored so a newer daemon's keylog
// still reads. Never throws, never reads outside `text`.
[[nodiscard]] KeylogResult parse_keylog(std::span<const uint8_t> text, std::vector<KeylogSa>& out);

// Reads `path` with the secret-file checks (a regular file of ours, no symlink, mode 0600 or
// stricter, at most kMaxKeylogLen) into wiped memory and parses it. "" on success, else one line.
[[nodiscard]] std::string load_keylog(const std::string& path, std::vector<KeylogSa>& out);

// Install times: ISO 8601 UTC, seconds and up to 9 fractional digits ("2026-12-06T11:40:02.123456789Z").
[[nodiscard]] std::optional<int64_t> parse_utc_ns(std::string_view text);
[[nodiscard]] std::string format_utc_ns(int64_t ns);

}  // namespace linkcrypt::pcaptool
