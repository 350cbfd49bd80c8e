// Loads --sak-file: permission check on the open descriptor, bounded read, hex into SecretBytes.
#include "sak_file.h"

#include "hex.h"
#include "secret_file.h"

#include <string_view>

namespace linkcrypt::pcaptool {
namespace {

constexpr size_t kMaxSakFileLen = 4096;  // a 32-octet key in hex with comments fits many times

}  // namespace

std::string load_sak_file(const std::string& path, SecretBytes& sak) {
  // The common loader: no symlink, FIFO or other user's file, mode 0600, at most 4096 octets.
  SecretBytes raw;
  if (SecretFileResult f = load_secret_file("SAK file", path, kMaxSakFileLen, raw); !f.ok()) return f.message;
  const size_t len = raw.size();

  // Keep the one non-comment line; tolerate CR LF and surrounding blanks.
  std::string_view text(reinterpret_cast<const char*>(raw.view().data()), len);
  std::string_view key_line;
  size_t key_lines = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    key_line = line;
    ++key_lines;
  }
  if (key_lines != 1) return "SAK file " + path + " must hold exactly one line of hex";
  if (!parse_hex_secret(key_line, sak)) return "SAK file " + path + " does not hold valid hex";
  return "";
}

}  // namespace linkcrypt::pcaptool
