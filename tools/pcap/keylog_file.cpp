// Parses keylog lines (name=value fields of one SA) with a bounded line splitter; loads the file with the secret checks.
#include "keylog_file.h"

#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "hex.h"
#include "secret_file.h"

namespace linkcrypt::pcaptool {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Identifiers (SCI, SSCI, key id) are exactly `digits` hex digits, no separators.
bool decode_hex_uint(std::string_view text, size_t digits, uint64_t& out) {
  if (text.size() != digits) return false;
  uint64_t v = 0;
  for (char c : text) {
    const int d = hex_digit(c);
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

// Key bytes: exactly 2*len hex digits, straight into wiped memory.
bool decode_hex_secret(std::string_view text, size_t len, SecretBytes& out) {
  if (text.size() != 2 * len) return false;
  for (char c : text) {
    if (hex_digit(c) < 0) return false;
  }
  return parse_hex_secret(text, out) && out.size() == len;
}

bool parse_digits(std::string_view& s, size_t n, int64_t& out) {
  if (s.size() < n) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  out = v;
  return true;
}

bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

// Which fields a line has given (DuplicateField / MissingField).
struct Seen {
  bool sci = false, an = false, key_id = false, suite = false, sak = false, ssci = false, salt = false,
       installed = false, dir = false;
};

struct LineFields {
  std::string_view sci, an, key_id, suite, sak, ssci, salt, installed, dir;
};

KeylogResult fail(KeylogError e, size_t line, std::string field = {}) { return {e, line, std::move(field)}; }

// Step 1: split a MACSEC_SA line into its fields (syntax only).
KeylogResult split_fields(std::string_view rest, size_t line_no, LineFields& f) {
  Seen seen;
  while (!rest.empty()) {
    while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t end = 0;
    while (end < rest.size() && !is_blank(rest[end])) ++end;
    const std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end);
    const size_t eq = token.find('=');
    if (eq == std::string_view::npos || eq == 0) return fail(KeylogError::BadSyntax, line_no);
    const std::string_view name = token.substr(0, eq), value = token.substr(eq + 1);
    struct Slot {
      std::string_view name;
      bool* seen;
      std::string_view* value;
    };
    const Slot slots[] = {{"sci", &seen.sci, &f.sci},       {"an", &seen.an, &f.an},
                          {"key_id", &seen.key_id, &f.key_id}, {"suite", &seen.suite, &f.suite},
                          {"sak", &seen.sak, &f.sak},       {"ssci", &seen.ssci, &f.ssci},
                          {"salt", &seen.salt, &f.salt},    {"installed", &seen.installed, &f.installed},
                          {"dir", &seen.dir, &f.dir}};
    for (const Slot& s : slots) {
      if (s.name != name) continue;
      if (*s.seen) return fail(KeylogError::DuplicateField, line_no, std::string(name));
      *s.seen = true;
      *s.value = value;
    }
    // Any other name is a newer daemon's field: ignored (docs/keylog.md, "Compatibility").
  }
  for (auto [ok, name] : {std::pair{seen.sci, "sci"}, {seen.an, "an"}, {seen.suite, "suite"}, {seen.sak, "sak"}}) {
    if (!ok) return fail(KeylogError::MissingField, line_no, name);
  }
  return {};
}

// Step 2: decode and check each field's meaning.
KeylogResult decode_fields(const LineFields& f, size_t line_no, KeylogSa& sa) {
  sa.line = line_no;
  if (!decode_hex_uint(f.sci, 16, sa.sci)) return fail(KeylogError::BadSci, line_no, "sci");
  if (f.an.size() != 1 || f.an[0] < '0' || f.an[0] > '3') return fail(KeylogError::BadAn, line_no, "an");
  sa.an = static_cast<uint8_t>(f.an[0] - '0');
  if (!f.key_id.empty() && f.key_id != "-") {
    uint64_t id = 0;
    if (!decode_hex_uint(f.key_id, 16, id)) return fail(KeylogError::BadKeyId, line_no, "key_id");
    sa.key_id = id;
  }
  const auto suite = secy::parse_cipher_suite(f.suite);
  if (!suite) return fail(KeylogError::UnknownSuite, line_no, "suite");
  sa.suite = *suite;
  if (!decode_hex_secret(f.sak, secy::sak_len(sa.suite), sa.sak)) return fail(KeylogError::BadSak, line_no, "sak");
  const bool ssci_given = !f.ssci.empty() && f.ssci != "-";
  const bool salt_given = !f.salt.empty() && f.salt != "-";
  if (secy::is_xpn(sa.suite)) {
    // 14.7: an XPN SA is not usable without its Short SCI and salt.
    if (!ssci_given) return fail(KeylogError::MissingField, line_no, "ssci");
    if (!salt_given) return fail(KeylogError::MissingField, line_no, "salt");
    uint64_t ssci = 0;
    if (!decode_hex_uint(f.ssci, 8, ssci)) return fail(KeylogError::BadSsci, line_no, "ssci");
    sa.xpn.ssci = static_cast<uint32_t>(ssci);
    SecretBytes salt;
    if (!decode_hex_secret(f.salt, secy::kSaltLen, salt)) return fail(KeylogError::BadSalt, line_no, "salt");
    std::copy(salt.view().begin(), salt.view().end(), sa.xpn.salt.begin());
  } else if (ssci_given || salt_given) {
    return fail(KeylogError::XpnFieldWithoutXpn, line_no, ssci_given ? "ssci" : "salt");
  }
  if (!f.installed.empty() && f.installed != "-") {
    sa.installed_ns = parse_utc_ns(f.installed);
    if (!sa.installed_ns) return fail(KeylogError::BadTime, line_no, "installed");
  }
  if (f.dir == "tx" || f.dir == "rx") {
    sa.direction = std::string(f.dir);
  } else if (!f.dir.empty() && f.dir != "-") {
    return fail(KeylogError::BadDirection, line_no, "dir");
  }
  return {};
}

}  // namespace

KeylogSa KeylogSa::clone() const {
  KeylogSa c;
  c.line = line;
  c.sci = sci;
  c.an = an;
  c.key_id = key_id;
  c.suite = suite;
  c.sak = sak.clone();
  c.xpn = xpn;
  c.installed_ns = installed_ns;
  c.direction = direction;
  return c;
}

std::optional<int64_t> parse_utc_ns(std::string_view s) {
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!parse_digits(s, 4, y) || !expect(s, '-') || !parse_digits(s, 2, mo) || !expect(s, '-') ||
      !parse_digits(s, 2, d) || !expect(s, 'T') || !parse_digits(s, 2, h) || !expect(s, ':') ||
      !parse_digits(s, 2, mi) || !expect(s, ':') || !parse_digits(s, 2, sec)) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    int64_t v = 0;
    if (!parse_digits(s, digits, v)) return std::nullopt;
    for (size_t i = digits; i < 9; ++i) v *= 10;
    frac_ns = v;
  }
  if (s != "Z") return std::nullopt;
  // int64 nanoseconds reach 2262; a keylog line from before 1970 is not one we wrote.
  if (y < 1970 || y > 2261 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{static_cast<int>(y)}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000000000) + frac_ns;
}

std::string format_utc_ns(int64_t ns) {
  using namespace std::chrono;
  int64_t secs = ns / 1000000000;
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t tod = secs % 86400;
  if (tod < 0) {
    tod += 86400;
    --days;
  }
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(tod / 3600), static_cast<long long>(tod / 60 % 60),
                static_cast<long long>(tod % 60), static_cast<long long>(frac));
  return buf;
}

KeylogResult parse_keylog(std::span<const uint8_t> bytes, std::vector<KeylogSa>& out) {
  out.clear();
  if (bytes.size() > kMaxKeylogLen) return fail(KeylogError::TooLarge, 0);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  for (size_t line_no = 1; !text.empty(); ++line_no) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.size() > kMaxKeylogLineLen) return fail(KeylogError::LineTooLong, line_no);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u >= 0x7F) return fail(KeylogError::BadCharacter, line_no);
    }
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    constexpr std::string_view kRecord = "MACSEC_SA";
    if (!line.starts_with(kRecord) || (line.size() > kRecord.size() && !is_blank(line[kRecord.size()]))) {
      return fail(KeylogError::UnknownRecord, line_no);
    }
    if (out.size() >= kMaxKeylogSas) return fail(KeylogError::TooManySas, line_no);
    LineFields fields;
    if (KeylogResult r = split_fields(line.substr(kRecord.size()), line_no, fields); !r.ok()) return r;
    KeylogSa sa;
    if (KeylogResult r = decode_fields(fields, line_no, sa); !r.ok()) return r;
    out.push_back(std::move(sa));
  }
  if (out.empty()) return fail(KeylogError::NoSas, 0);
  return {};
}

std::string_view keylog_error_name(KeylogError e) {
  switch (e) {
    case KeylogError::Ok: return "Ok";
    case KeylogError::TooLarge: return "TooLarge";
    case KeylogError::LineTooLong: return "LineTooLong";
    case KeylogError::BadCharacter: return "BadCharacter";
    case KeylogError::UnknownRecord: return "UnknownRecord";
    case KeylogError::BadSyntax: return "BadSyntax";
    case KeylogError::DuplicateField: return "DuplicateField";
    case KeylogError::MissingField: return "MissingField";
    case KeylogError::BadSci: return "BadSci";
    case KeylogError::BadAn: return "BadAn";
    case KeylogError::BadKeyId: return "BadKeyId";
    case KeylogError::UnknownSuite: return "UnknownSuite";
    case KeylogError::BadSak: return "BadSak";
    case KeylogError::BadSsci: return "BadSsci";
    case KeylogError::BadSalt: return "BadSalt";
    case KeylogError::XpnFieldWithoutXpn: return "XpnFieldWithoutXpn";
    case KeylogError::BadTime: return "BadTime";
    case KeylogError::BadDirection: return "BadDirection";
    case KeylogError::TooManySas: return "TooManySas";
    case KeylogError::NoSas: return "NoSas";
  }
  return "Unknown";
}

std::string describe_keylog_error(const KeylogResult& r) {
  std::string where = r.line ? "line " + std::to_string(r.line) + ": " : "";
  const std::string field = r.field.empty() ? "" : " (" + r.field + ")";
  switch (r.error) {
    case KeylogError::Ok: return "no error";
    case KeylogError::TooLarge:
      return "larger than " + std::to_string(kMaxKeylogLen) + " octets: keep the lines of the capture's time span";
    case KeylogError::LineTooLong: return where + "longer than " + std::to_string(kMaxKeylogLineLen) + " octets";
    case KeylogError::BadCharacter: return where + "a control or non-ASCII character";
    case KeylogError::UnknownRecord: return where + "neither a '#' comment nor a MACSEC_SA line";
    case KeylogError::BadSyntax: return where + "a field is not name=value";
    case KeylogError::DuplicateField: return where + "a field is given twice" + field;
    case KeylogError::MissingField: return where + "a required field is missing" + field;
    case KeylogError::BadSci: return where + "sci must be 16 hex digits (MAC address and port, 8.2.1)";
    case KeylogError::BadAn: return where + "an must be 0..3";
    case KeylogError::BadKeyId: return where + "key_id must be 16 hex digits or -";
    case KeylogError::UnknownSuite:
      return where + "suite must be one of " + std::string(secy::cipher_suite_names());
    case KeylogError::BadSak: return where + "sak is not hex of the suite's key length (32 or 64 hex digits)";
    case KeylogError::BadSsci: return where + "ssci must be 8 hex digits";
    case KeylogError::BadSalt: return where + "salt must be 24 hex digits";
    case KeylogError::XpnFieldWithoutXpn: return where + "ssci and salt belong to XPN suites only; write - " + field;
    case KeylogError::BadTime:
      return where + "installed must be UTC like 2026-12-06T11:40:02.123456789Z, or -";
    case KeylogError::BadDirection: return where + "dir must be tx, rx or -";
    case KeylogError::TooManySas: return where + "more than " + std::to_string(kMaxKeylogSas) + " SAs";
    case KeylogError::NoSas: return "holds no MACSEC_SA line";
  }
  return where + "unknown error";
}

std::string load_keylog(const std::string& path, std::vector<KeylogSa>& out) {
  UniqueFd fd;
  size_t size = 0;
  if (SecretFileResult r = open_secret_file("keylog", path, kMaxKeylogLen, fd, size); !r.ok()) return r.message;
  // Larger than one SecretBytes may hold: a plain buffer, wiped whatever happens.
  std::unique_ptr<uint8_t[]> buf(new uint8_t[size]);
  struct Wipe {
    uint8_t* p;
    size_t n;
    ~Wipe() { OPENSSL_cleanse(p, n); }
  } wipe{buf.get(), size};
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd.get(), buf.get() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "cannot read keylog " + path + ": " + std::strerror(errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got != size) return "keylog " + path + " changed size while being read";
  const KeylogResult r = parse_keylog({buf.get(), size}, out);
  if (!r.ok()) return "keylog " + path + ": " + describe_keylog_error(r);
  return "";
}

}  // namespace linkcrypt::pcaptool
