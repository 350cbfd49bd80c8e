// KeySource <-> the key holder's command line: one table, so linkcryptd and the key holder cannot disagree on a flag.
#include <array>
#include <utility>

#include "key_source.h"

namespace linkcrypt::keyholder {
namespace {

using Member = std::string KeySource::*;
constexpr std::array<std::pair<const char*, Member>, 6> kFlags = {{
    {"--psk-file", &KeySource::psk_file},
    {"--psk-uri", &KeySource::psk_uri},
    {"--private-key-file", &KeySource::private_key_file},
    {"--private-key-uri", &KeySource::private_key_uri},
    {"--pkcs11-module", &KeySource::pkcs11_module},
    {"--pin-file", &KeySource::pin_file},
}};

}  // namespace

std::string KeySource::text() const {
  for (const auto& [flag, m] : kFlags) {
    if (m == &KeySource::pkcs11_module) break;  // the key options come first in the table
    if (!(this->*m).empty()) return std::string(flag + 2) + " " + (this->*m);
  }
  return "no key";
}

std::vector<std::string> key_source_args(const KeySource& src) {
  std::vector<std::string> args;
  for (const auto& [flag, m] : kFlags) {
    if (!(src.*m).empty()) {
      args.emplace_back(flag);
      args.push_back(src.*m);
    }
  }
  return args;
}

bool take_key_source_arg(const std::string& flag, const std::string& value, KeySource& src, std::string& error) {
  for (const auto& [f, m] : kFlags) {
    if (flag != f) continue;
    if (!(src.*m).empty()) error = flag + " given twice";
    src.*m = value;
    return true;
  }
  return false;
}

std::string check_key_source(const KeySource& src) {
  const int keys = !src.psk_file.empty() + !src.psk_uri.empty() + !src.private_key_file.empty() +
                   !src.private_key_uri.empty();
  if (keys != 1) return "give exactly one of --psk-file, --psk-uri, --private-key-file, --private-key-uri";
  return {};
}

}  // namespace linkcrypt::keyholder
