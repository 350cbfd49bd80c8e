// Key-file parser (parse step, then validate step) and the permission-checking loader.
#include "key_file.h"

#include "byte_reader.h"
#include "hex.h"
#include "ini_lines.h"
#include "secret_file.h"

#include <openssl/crypto.h>

#include <array>

namespace linkcrypt::config {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_uint(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty()) return false;
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t v = 0;
  for (char c : text) {
    const int d = hex_digit(c);
    if (d < 0 || static_cast<unsigned>(d) >= base) return false;
    if (static_cast<uint64_t>(d) > max || v > (max - static_cast<uint64_t>(d)) / base) return false;  // past max
    v = v * base + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

// Big-endian integer from exactly `len` hex-coded octets (SCI, SSCI are identifiers, not keys).
bool decode_be(std::string_view text, size_t len, uint64_t& out) {
  SecretBytes b;
  if (!parse_hex_secret(text, b) || b.size() != len) return false;
  ByteReader r(b.view());
  if (len == 8) return r.read_u64(out);
  uint32_t v32 = 0;
  if (!r.read_u32(v32)) return false;
  out = v32;
  return true;
}

enum class Section : uint8_t { None, Tx, Rx };

// Which keys a section has seen (DuplicateKey / MissingField).
struct Seen {
  bool sci = false, an = false, sak = false, ssci = false, salt = false, pn = false;
};

struct Parser {
  KeyFile& out;
  bool have_suite = false;
  bool have_tx = false;
  Section section = Section::None;
  Seen seen{};
  SaKeyEntry* entry = nullptr;

  KeyFileError finish_section() {
    if (section == Section::None) return KeyFileError::Ok;
    if (!seen.sci || !seen.an || !seen.sak) return KeyFileError::MissingField;
    if (secy::is_xpn(out.suite) && (!seen.ssci || !seen.salt)) return KeyFileError::MissingField;
    if (section == Section::Rx) {
      for (size_t i = 0; i + 1 < out.rx.size(); ++i) {
        if (out.rx[i].sci == entry->sci && out.rx[i].an == entry->an) return KeyFileError::DuplicateRxSa;
      }
    }
    return KeyFileError::Ok;
  }

  KeyFileError on_section(std::string_view name) {
    if (KeyFileError e = finish_section(); e != KeyFileError::Ok) return e;
    if (!have_suite) return KeyFileError::MissingCipherSuite;
    seen = Seen{};
    if (name == "tx") {
      if (have_tx) return KeyFileError::DuplicateTx;
      have_tx = true;
      section = Section::Tx;
      entry = &out.tx;
    } else if (name == "rx") {
      if (out.rx.size() >= kMaxRxSas) return KeyFileError::TooManyRx;
      out.rx.emplace_back();
      section = Section::Rx;
      entry = &out.rx.back();
    } else {
      return KeyFileError::UnknownSection;
    }
    return KeyFileError::Ok;
  }

  KeyFileError on_pair(std::string_view key, std::string_view value) {
    if (section == Section::None) {
      if (key != "cipher-suite") return KeyFileError::KeyOutsideSection;
      if (have_suite) return KeyFileError::DuplicateKey;
      const auto suite = secy::parse_cipher_suite(value);
      if (!suite) return KeyFileError::UnknownCipherSuite;
      out.suite = *suite;
      have_suite = true;
      return KeyFileError::Ok;
    }
    const bool xpn = secy::is_xpn(out.suite);
    auto once = [](bool& flag) {
      if (flag) return false;
      flag = true;
      return true;
    };
    if (key == "sci") {
      if (!once(seen.sci)) return KeyFileError::DuplicateKey;
      return decode_be(value, 8, entry->sci) ? KeyFileError::Ok : KeyFileError::BadSci;
    }
    if (key == "an") {
      if (!once(seen.an)) return KeyFileError::DuplicateKey;
      uint64_t an = 0;
      if (!decode_uint(value, 3, an)) return KeyFileError::BadAn;
      entry->an = static_cast<uint8_t>(an);
      return KeyFileError::Ok;
    }
    if (key == "sak") {
      if (!once(seen.sak)) return KeyFileError::DuplicateKey;
      if (!parse_hex_secret(value, entry->sak)) return KeyFileError::BadHex;
      return entry->sak.size() == secy::sak_len(out.suite) ? KeyFileError::Ok : KeyFileError::BadSakLength;
    }
    if (key == "ssci") {
      if (!once(seen.ssci)) return KeyFileError::DuplicateKey;
      if (!xpn) return KeyFileError::XpnFieldWithoutXpn;
      uint64_t v = 0;
      if (!decode_be(value, 4, v)) return KeyFileError::BadSsci;
      entry->ssci = static_cast<uint32_t>(v);
      return KeyFileError::Ok;
    }
    if (key == "salt") {
      if (!once(seen.salt)) return KeyFileError::DuplicateKey;
      if (!xpn) return KeyFileError::XpnFieldWithoutXpn;
      if (!parse_hex_secret(value, entry->salt)) return KeyFileError::BadHex;
      return entry->salt.size() == secy::kSaltLen ? KeyFileError::Ok : KeyFileError::BadSalt;
    }
    const bool pn_key = (section == Section::Tx && key == "next-pn") ||
                        (section == Section::Rx && key == "lowest-pn");
    if (pn_key) {
      if (!once(seen.pn)) return KeyFileError::DuplicateKey;
      uint64_t pn = 0;
      // 10.5.2 / 14.7: PN 0 is never used; a 32-bit suite's PN space ends at 2^32-1.
      if (!decode_uint(value, secy::max_pn(out.suite), pn) || pn == 0) return KeyFileError::BadPn;
      entry->pn = pn;
      return KeyFileError::Ok;
    }
    return KeyFileError::UnknownKey;
  }

  KeyFileError on_line(std::string_view line) {
    const IniLine l = parse_ini_line(line);
    switch (l.kind) {
      case IniLine::Kind::Blank: return KeyFileError::Ok;
      case IniLine::Kind::Section: return on_section(l.name);
      case IniLine::Kind::Pair: return on_pair(l.name, l.value);
      case IniLine::Kind::BadCharacter: return KeyFileError::BadCharacter;
      case IniLine::Kind::BadSyntax: break;
    }
    return KeyFileError::BadSyntax;
  }

};

// The GCM nonce of a frame is SCI||PN (14.5), or for XPN (SSCI||PN) XOR salt (14.7). A SAK
// used for sending and receiving with the same nonce inputs encrypts two frames under one
// (key, nonce) pair, which breaks GCM's confidentiality and authenticity: refuse such files.
KeyFileError validate_nonce_spaces(const KeyFile& k) {
  const bool xpn = secy::is_xpn(k.suite);
  auto same = [](const SecretBytes& a, const SecretBytes& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.view().data(), b.view().data(), a.size()) == 0;
  };
  for (const SaKeyEntry& rx : k.rx) {
    if (xpn) {
      // Stricter than the nonce alone (the SAKs or salts might differ): docs/keyfile.md's rule.
      if (rx.ssci == k.tx.ssci) return KeyFileError::SameSsci;
    } else if (rx.sci == k.tx.sci && same(rx.sak, k.tx.sak)) {
      return KeyFileError::SameSakAndSci;
    }
  }
  return KeyFileError::Ok;
}

}  // namespace

std::string_view key_file_error_name(KeyFileError e) {
  switch (e) {
    case KeyFileError::Ok: return "ok";
    case KeyFileError::TooLarge: return "file too large";
    case KeyFileError::LineTooLong: return "line too long";
    case KeyFileError::BadCharacter: return "control or non-ASCII character";
    case KeyFileError::BadSyntax: return "syntax error (expected [section] or key = value)";
    case KeyFileError::UnknownSection: return "unknown section (expected [tx] or [rx])";
    case KeyFileError::UnknownKey: return "unknown key";
    case KeyFileError::DuplicateKey: return "key given twice";
    case KeyFileError::KeyOutsideSection: return "only cipher-suite may precede the first section";
    case KeyFileError::UnknownCipherSuite: {
      static const std::string kText = "unknown cipher suite (" + std::string(secy::cipher_suite_names()) + ")";
      return kText;
    }
    case KeyFileError::MissingCipherSuite: return "cipher-suite must be given before the first section";
    case KeyFileError::BadHex: return "bad hex value";
    case KeyFileError::BadSakLength: return "SAK length does not match the cipher suite (16 or 32 octets)";
    case KeyFileError::BadSci: return "SCI must be 8 octets in hex";
    case KeyFileError::BadAn: return "AN must be 0..3";
    case KeyFileError::BadPn: return "PN must be a number from 1 to the suite's maximum";
    case KeyFileError::BadSsci: return "SSCI must be 4 octets in hex";
    case KeyFileError::BadSalt: return "salt must be 12 octets in hex";
    case KeyFileError::XpnFieldWithoutXpn: return "ssci/salt are only for XPN cipher suites";
    case KeyFileError::MissingField: return "section lacks sci, an or sak (or ssci/salt for XPN)";
    case KeyFileError::MissingTx: return "no [tx] section";
    case KeyFileError::DuplicateTx: return "more than one [tx] section";
    case KeyFileError::MissingRx: return "no [rx] section";
    case KeyFileError::TooManyRx: return "too many [rx] sections";
    case KeyFileError::DuplicateRxSa: return "two [rx] sections with the same SCI and AN";
    case KeyFileError::SameSakAndSci:
      return "[tx] and an [rx] section have the same SAK and SCI: both directions would reuse GCM nonces "
             "(give each direction its own SAK)";
    case KeyFileError::SameSsci:
      return "[tx] and an [rx] section have the same SSCI: each direction's SSCI must differ, else an XPN "
             "SAK shared by both directions reuses GCM nonces";
  }
  return "unknown";
}

KeyFileResult parse_key_file(std::span<const uint8_t> text, KeyFile& out) {
  if (text.size() > kMaxKeyFileLen) return {KeyFileError::TooLarge, 0};
  out.rx.clear();
  out.rx.reserve(kMaxRxSas);  // entry pointers into rx stay valid: no reallocation
  Parser p{out};
  KeyFileError err = KeyFileError::Ok;
  const LineWalk walk = for_each_line(text, kMaxLineLen, [&](std::string_view line) {
    err = p.on_line(line);
    return err == KeyFileError::Ok;
  });
  const size_t line_no = walk.line_no;
  if (walk.too_long) return {KeyFileError::LineTooLong, line_no};
  if (err != KeyFileError::Ok) return {err, line_no};
  if (KeyFileError e = p.finish_section(); e != KeyFileError::Ok) return {e, line_no};
  if (!p.have_suite) return {KeyFileError::MissingCipherSuite, 0};
  if (!p.have_tx) return {KeyFileError::MissingTx, 0};
  if (out.rx.empty()) return {KeyFileError::MissingRx, 0};
  if (KeyFileError e = validate_nonce_spaces(out); e != KeyFileError::Ok) return {e, 0};
  return {};
}

std::string load_key_file(const std::string& path, KeyFile& out) {
  SecretBytes buf;
  if (SecretFileResult f = load_secret_file("key file", path, kMaxKeyFileLen, buf); !f.ok()) return f.message;
  const KeyFileResult r = parse_key_file(buf.view(), out);
  if (!r.ok()) {
    std::string msg = "key file ";
    msg += path;
    if (r.line != 0) {
      msg += ':';
      msg += std::to_string(r.line);
    }
    msg += ": ";
    msg += key_file_error_name(r.error);
    return msg;
  }
  return "";
}

}  // namespace linkcrypt::config
