// Loads --sak-file: permission check on the open descriptor, bounded read, hex into SecretBytes.
#include "sak_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace linkcrypt::pcaptool {
namespace {

constexpr size_t kMaxSakFileLen = 4096;  // a 32-octet key in hex with comments fits many times

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool parse_secret_hex(std::string_view text, SecretBytes& out) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  size_t digits = 0;
  for (char c : text) {
    if (hex_value(c) >= 0) {
      ++digits;
    } else if (c != ':' && c != '-' && c != ' ') {
      return false;
    }
  }
  if (digits == 0 || digits % 2 != 0) return false;
  SecretBytes bytes(digits / 2);
  size_t n = 0;
  int high = -1;
  for (char c : text) {
    const int v = hex_value(c);
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      bytes.mut()[n++] = static_cast<uint8_t>((high << 4) | v);
      high = -1;
    }
  }
  out = std::move(bytes);
  return true;
}

std::string load_sak_file(const std::string& path, SecretBytes& sak) {
  // O_NOFOLLOW: a symlink planted in place of the key file is refused, not followed.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return "cannot open SAK file " + path + ": " + std::strerror(errno);
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return "cannot stat SAK file " + path + ": " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "SAK file " + path + " is not a regular file";
  // Checked on the descriptor we read from, so the file cannot be swapped after the check.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "SAK file " + path + " has mode " + mode +
           ": group/other may access it; run `chmod 600 " + path + "`";
  }
  if (st.st_size > static_cast<off_t>(kMaxSakFileLen)) {
    return "SAK file " + path + " is larger than 4096 octets: not a key file";
  }

  SecretBytes raw(kMaxSakFileLen);
  size_t len = 0;
  while (len < kMaxSakFileLen) {
    const ssize_t got = ::read(fd, raw.mut().data() + len, kMaxSakFileLen - len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return "cannot read SAK file " + path + ": " + std::strerror(errno);
    if (got == 0) break;
    len += static_cast<size_t>(got);
  }

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
  if (!parse_secret_hex(key_line, sak)) return "SAK file " + path + " does not hold valid hex";
  return "";
}

}  // namespace linkcrypt::pcaptool
