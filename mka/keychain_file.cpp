// Parser of the MKA keychain file: line by line (common/ini_lines), first error wins (see keychain_file.h).
#include "keychain_file.h"

#include "byte_reader.h"
#include "hex.h"
#include "ini_lines.h"
#include "secret_file.h"

namespace linkcrypt::mka {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// YYYY-MM-DDTHH:MM:SSZ, UTC only: a keychain is shared by both ends of a link, so its times
// must not depend on either box's time zone.
std::optional<SysSeconds> parse_time(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, se))
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{se};
}

struct Seen {
  bool ckn = false, cak = false, start = false, end = false;
};

struct Parser {
  KeychainFile& out;
  KeychainEntry* entry = nullptr;
  Seen seen{};

  KeychainError finish_section() {
    if (entry == nullptr) return KeychainError::Ok;
    if (!seen.ckn || !seen.cak) return KeychainError::MissingField;
    if (entry->fallback && (seen.start || seen.end)) return KeychainError::TimesOnFallback;
    if (entry->start && entry->end && *entry->end <= *entry->start) return KeychainError::EndNotAfterStart;
    for (size_t i = 0; i + 1 < out.keys.size(); ++i)
      if (out.keys[i].ckn == entry->ckn) return KeychainError::DuplicateCkn;
    return KeychainError::Ok;
  }

  KeychainError on_section(std::string_view name) {
    if (KeychainError e = finish_section(); e != KeychainError::Ok) return e;
    if (name != "cak" && name != "fallback") return KeychainError::UnknownSection;
    if (out.keys.size() >= kMaxKeychainKeys) return KeychainError::TooManyKeys;
    out.keys.emplace_back();
    entry = &out.keys.back();
    entry->fallback = name == "fallback";
    seen = Seen{};
    return KeychainError::Ok;
  }

  KeychainError on_pair(std::string_view key, std::string_view value) {
    if (entry == nullptr) return KeychainError::KeyOutsideSection;
    auto once = [](bool& flag) {
      if (flag) return false;
      flag = true;
      return true;
    };
    if (key == "ckn") {
      if (!once(seen.ckn)) return KeychainError::DuplicateKey;
      auto b = parse_hex(value);
      if (!b || b->empty() || b->size() > kMaxCknLen) return KeychainError::BadCkn;
      entry->ckn = std::move(*b);
    } else if (key == "cak") {
      if (!once(seen.cak)) return KeychainError::DuplicateKey;
      if (value.substr(0, 7) == "pkcs11:") {
        entry->cak_uri = std::string(value);  // checked by custody's URI parser when opened
      } else {
        SecretBytes b;
        if (!parse_hex_secret(value, b) || (b.size() != 16 && b.size() != 32)) return KeychainError::BadCak;
        entry->cak = std::move(b);
      }
    } else if (key == "start" || key == "end") {
      if (!once(key == "start" ? seen.start : seen.end)) return KeychainError::DuplicateKey;
      auto t = parse_time(value);
      if (!t) return KeychainError::BadTime;
      (key == "start" ? entry->start : entry->end) = *t;
    } else {
      return KeychainError::UnknownKey;
    }
    return KeychainError::Ok;
  }

  KeychainError on_line(std::string_view line) {
    const IniLine l = parse_ini_line(line);
    switch (l.kind) {
      case IniLine::Kind::Blank: return KeychainError::Ok;
      case IniLine::Kind::Section: return on_section(l.name);
      case IniLine::Kind::Pair: return on_pair(l.name, l.value);
      case IniLine::Kind::BadCharacter: return KeychainError::BadCharacter;
      case IniLine::Kind::BadSyntax: break;
    }
    return KeychainError::BadSyntax;
  }

};

}  // namespace

std::string_view keychain_error_name(KeychainError e) {
  switch (e) {
    case KeychainError::Ok: return "ok";
    case KeychainError::TooLarge: return "file too large";
    case KeychainError::LineTooLong: return "line too long";
    case KeychainError::BadCharacter: return "control or non-ASCII character";
    case KeychainError::BadSyntax: return "not a [section], key = value, comment or blank line";
    case KeychainError::UnknownSection: return "unknown section (only [cak] and [fallback])";
    case KeychainError::UnknownKey: return "unknown key (only ckn, cak, start, end)";
    case KeychainError::DuplicateKey: return "a key given twice in one section";
    case KeychainError::KeyOutsideSection: return "a key before the first section";
    case KeychainError::BadCkn: return "ckn must be 1 to 32 octets of hex";
    case KeychainError::BadCak: return "cak must be 16 or 32 octets of hex, or a pkcs11: URI";
    case KeychainError::BadTime: return "time must be YYYY-MM-DDTHH:MM:SSZ (UTC)";
    case KeychainError::EndNotAfterStart: return "end is not after start";
    case KeychainError::TimesOnFallback: return "the fallback takes no start or end";
    case KeychainError::MissingField: return "a section without ckn or cak";
    case KeychainError::TooManyKeys: return "more than 8 keys";
    case KeychainError::DuplicateCkn: return "two keys with the same ckn";
    case KeychainError::TwoFallbacks: return "more than one [fallback]";
    case KeychainError::NoPrimary: return "no [cak] section";
  }
  return "unknown";
}

KeychainResult parse_keychain(std::span<const uint8_t> text, KeychainFile& out) {
  if (text.size() > kMaxKeychainFileLen) return {KeychainError::TooLarge, 0};
  out.keys.clear();
  out.keys.reserve(kMaxKeychainKeys);  // entry pointers stay valid: no reallocation
  Parser p{out};
  KeychainError err = KeychainError::Ok;
  const LineWalk walk = for_each_line(text, kMaxKeychainLineLen, [&](std::string_view line) {
    err = p.on_line(line);
    return err == KeychainError::Ok;
  });
  const size_t line_no = walk.line_no;
  if (walk.too_long) return {KeychainError::LineTooLong, line_no};
  if (err != KeychainError::Ok) return {err, line_no};
  if (KeychainError e = p.finish_section(); e != KeychainError::Ok) return {e, line_no};
  size_t fallbacks = 0;
  for (const auto& k : out.keys) fallbacks += k.fallback ? 1 : 0;
  if (fallbacks > 1) return {KeychainError::TwoFallbacks, 0};
  if (out.keys.size() == fallbacks) return {KeychainError::NoPrimary, 0};
  return {};
}

std::string load_keychain(const std::string& path, KeychainFile& out) {
  SecretBytes buf;
  if (SecretFileResult f = load_secret_file("mka keychain", path, kMaxKeychainFileLen, buf); !f.ok()) return f.message;
  const KeychainResult r = parse_keychain(buf.view(), out);
  if (r.ok()) return "";
  std::string msg = "mka keychain ";
  msg += path;
  if (r.line != 0) {
    msg += ':';
    msg += std::to_string(r.line);
  }
  msg += ": ";
  msg += keychain_error_name(r.error);
  return msg;
}

std::vector<ChainKey> chain_keys(const KeychainFile& file, std::chrono::system_clock::time_point now_sys,
                                 TimePoint now_steady) {
  auto place = [&](SysSeconds t) {
    return now_steady + std::chrono::duration_cast<TimePoint::duration>(t - now_sys);
  };
  std::vector<ChainKey> keys;
  for (const auto& e : file.keys) {
    if (!e.cak_uri.empty()) continue;
    ChainKey k;
    k.ckn = e.ckn;
    k.cak = e.cak.clone();
    k.fallback = e.fallback;
    if (e.start) k.start = place(*e.start);
    if (e.end) k.end = place(*e.end);
    keys.push_back(std::move(k));
  }
  return keys;
}

}  // namespace linkcrypt::mka
