// Cipher suite names as `ip macsec` spells them.
#include "cipher_suite.h"

#include <array>
#include <cctype>
#include <string>

namespace linkcrypt::secy {

namespace {
constexpr std::array<std::string_view, 4> kNames = {"gcm-aes-128", "gcm-aes-256",
                                                    "gcm-aes-xpn-128", "gcm-aes-xpn-256"};
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}
}  // namespace

std::optional<CipherSuite> parse_cipher_suite(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (iequals(name, kNames[i])) return static_cast<CipherSuite>(i);
  }
  return std::nullopt;
}

std::string_view cipher_suite_name(CipherSuite s) { return kNames[static_cast<size_t>(s)]; }

std::string_view cipher_suite_names() {
  static const std::string kAll = [] {
    std::string all;
    for (auto n : kNames) all += (all.empty() ? "" : ", ") + std::string(n);
    return all;
  }();
  return kAll;
}

}  // namespace linkcrypt::secy
