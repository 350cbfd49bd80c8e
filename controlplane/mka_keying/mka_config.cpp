// check_mka_options / build_participant_config: one clear line per bad MKA setting.
#include "mka_config.h"

#include <cctype>

#include "hex.h"
#include "secret_file.h"

namespace linkcrypt::mka_keying {
namespace {

constexpr size_t kMaxCakFileLen = 256;  // 64 hex digits, a newline, room for CRLF and spaces

bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<uint64_t> parse_mka_cipher_suite(const std::string& name) {
  if (name == "gcm-aes-128") return mka::kGcmAes128;
  if (name == "gcm-aes-256") return mka::kGcmAes256;
  return std::nullopt;
}

std::string mka_cipher_suite_name(uint64_t suite) {
  if (suite == mka::kGcmAes128) return "gcm-aes-128";
  if (suite == mka::kGcmAes256) return "gcm-aes-256";
  return "unknown";
}

std::optional<mka::Mac> parse_mac(const std::string& text) {
  if (text.size() != 17) return std::nullopt;
  mka::Mac m{};
  const char sep = text[2];
  if (sep != ':' && sep != '-') return std::nullopt;
  for (size_t i = 0; i < 6; ++i) {
    const size_t at = i * 3;
    if (!is_hex_digit(text[at]) || !is_hex_digit(text[at + 1])) return std::nullopt;
    if (i < 5 && text[at + 2] != sep) return std::nullopt;
    m[i] = static_cast<uint8_t>(std::stoul(text.substr(at, 2), nullptr, 16));
  }
  return m;
}

std::string check_mka_options(const MkaOptions& o) {
  if (o.ckn.empty()) return "mka-ckn is required with keying = mka (hex, 1 to 32 octets, as on the other end)";
  const auto ckn = parse_hex(o.ckn);
  if (!ckn || ckn->empty() || ckn->size() > mka::kMaxCknLen) {
    return "mka-ckn must be 2 to 64 hex digits (1 to 32 octets, 802.1X-2020 9.3.1), not '" + o.ckn + "'";
  }
  if (o.cak_file.empty()) return "mka-cak-file is required with keying = mka (hex of 16 or 32 octets, mode 0600)";
  if (o.key_server_priority > 255) return "mka-key-server-priority must be 0..255";
  if (!parse_mka_cipher_suite(o.cipher_suite)) {
    if (o.cipher_suite.find("xpn") != std::string::npos) {
      return "mka-cipher-suite " + o.cipher_suite + " is not supported with MKA keying yet: use gcm-aes-128 or gcm-aes-256";
    }
    return "mka-cipher-suite must be gcm-aes-128 or gcm-aes-256, not '" + o.cipher_suite + "'";
  }
  if (o.life_time_ms <= o.hello_time_ms) {
    return "mka-life-time-ms " + std::to_string(o.life_time_ms) + " must be above mka-hello-time-ms " +
           std::to_string(o.hello_time_ms) + " (802.1X-2020 Table 9-3: 6000 and 2000)";
  }
  const auto mac = parse_mac(o.eapol_address);
  if (!mac) return "mka-eapol-address must be a MAC address like 01:80:c2:00:00:03, not '" + o.eapol_address + "'";
  if (((*mac)[0] & 1) == 0) {
    return "mka-eapol-address " + o.eapol_address + " is not a group address (802.1X-2020 11.1.1: MKPDUs go to a group address)";
  }
  return "";
}

std::string build_participant_config(const MkaOptions& o, mka::ParticipantConfig& cfg) {
  if (std::string err = check_mka_options(o); !err.empty()) return err;
  SecretBytes raw;
  if (SecretFileResult f = load_secret_file("mka-cak-file", o.cak_file, kMaxCakFileLen, raw); !f.ok()) return f.message;
  // Hex digits only, optionally followed by whitespace (the newline an editor adds).
  const auto text = raw.view();
  size_t end = text.size();
  while (end > 0 && std::isspace(text[end - 1]) != 0) --end;
  std::string_view digits(reinterpret_cast<const char*>(text.data()), end);
  SecretBytes cak;
  if (!parse_hex_secret(digits, cak) || (cak.size() != 16 && cak.size() != 32)) {
    return "mka-cak-file " + o.cak_file + " must hold the CAK as 32 or 64 hex digits (16 or 32 octets, 802.1X-2020 9.3.1)";
  }
  cfg.ckn = *parse_hex(o.ckn);
  cfg.cak = std::move(cak);
  cfg.key_server_priority = static_cast<uint8_t>(o.key_server_priority);
  cfg.cipher_suite = *parse_mka_cipher_suite(o.cipher_suite);
  cfg.hello_time = mka::Millis(o.hello_time_ms);
  cfg.life_time = mka::Millis(o.life_time_ms);
  cfg.rekey_interval = mka::Millis(o.rekey_interval_s * 1000);
  cfg.group_address = *parse_mac(o.eapol_address);
  return "";
}

}  // namespace linkcrypt::mka_keying
