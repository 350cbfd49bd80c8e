// Keylog: opens the file with the secret-file rules, formats each SA's line, appends it with one write.
#include "keylog.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "daemon_log.h"
#include "options.h"

namespace linkcrypt::daemon {
namespace {

constexpr const char kHeader[] =
    "# linkcrypt keylog (docs/keylog.md): the SECRET keys of every SA linkcryptd installed.\n"
    "# Anyone who reads this file can decrypt the link's captured traffic: troubleshooting only, delete it when done.\n"
    "# MACSEC_SA sci= an= key_id= suite= sak= ssci= salt= installed= dir=\n";

// Appends `bytes` as lowercase hex; false when out of room.
bool put_hex(std::span<char> out, size_t& pos, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (out.size() - pos < 2 * bytes.size()) return false;
  for (uint8_t b : bytes) {
    out[pos++] = kDigits[b >> 4];
    out[pos++] = kDigits[b & 0xF];
  }
  return true;
}

bool put_text(std::span<char> out, size_t& pos, const char* fmt, auto... args) {
  const int n = std::snprintf(out.data() + pos, out.size() - pos, fmt, args...);
  if (n < 0 || static_cast<size_t>(n) >= out.size() - pos) return false;
  pos += static_cast<size_t>(n);
  return true;
}

// ISO 8601 UTC with nanoseconds: the capture's timestamps compare to it (docs/keylog.md).
bool put_time(std::span<char> out, size_t& pos, int64_t ns) {
  const time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm {};
  if (ns < 0 || gmtime_r(&secs, &tm) == nullptr) return false;
  return put_text(out, pos, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns % 1000000000);
}

int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string hex16(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

}  // namespace

size_t format_keylog_line(const KeylogRecord& r, int64_t installed_ns, std::span<char> out) {
  const std::string_view suite = secy::cipher_suite_name(r.suite);
  const bool xpn = secy::is_xpn(r.suite);
  size_t pos = 0;
  bool ok = put_text(out, pos, "MACSEC_SA sci=%016" PRIx64 " an=%u key_id=", r.sci, static_cast<unsigned>(r.an));
  ok = ok && (r.key_id ? put_text(out, pos, "%016" PRIx64, *r.key_id) : put_text(out, pos, "-"));
  ok = ok && put_text(out, pos, " suite=%.*s sak=", static_cast<int>(suite.size()), suite.data());
  ok = ok && put_hex(out, pos, r.sak);
  ok = ok && (xpn ? put_text(out, pos, " ssci=%08" PRIx32 " salt=", r.ssci) && put_hex(out, pos, r.salt)
                  : put_text(out, pos, " ssci=- salt=-"));
  ok = ok && put_text(out, pos, " installed=") && put_time(out, pos, installed_ns);
  ok = ok && put_text(out, pos, " dir=%s\n", r.direction);
  return ok ? pos : 0;
}

std::unique_ptr<Keylog> Keylog::open(const std::string& path, std::string& err) {
  // O_NOFOLLOW: a symlink planted in place of the keylog is refused, so the keys cannot be
  // redirected into another file. O_NONBLOCK: a FIFO does not block start-up; fstat refuses it.
  constexpr int kFlags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  bool created = true;
  UniqueFd fd(::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0600));
  if (!fd.valid() && errno == EEXIST) {
    created = false;
    fd.reset(::open(path.c_str(), kFlags));
  }
  if (!fd.valid()) {
    err = "keylog " + path + ": " +
          (errno == ELOOP ? std::string("is a symbolic link (refused: name the file itself)") : std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    err = "keylog " + path + ": cannot stat: " + std::strerror(errno);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    err = "keylog " + path + " is not a regular file";
    return nullptr;
  }
  if (st.st_uid != ::geteuid()) {
    err = "keylog " + path + " is owned by uid " + std::to_string(st.st_uid) + ", not by this daemon's user (uid " +
          std::to_string(::geteuid()) + "): refused";
    return nullptr;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    err = "keylog " + path + " has mode " + mode + ": group/world access is refused (run: chmod 600 " + path + ")";
    return nullptr;
  }
  std::unique_ptr<Keylog> k(new Keylog(std::move(fd), path));
  if (created && ::write(k->fd_.get(), kHeader, sizeof kHeader - 1) != static_cast<ssize_t>(sizeof kHeader - 1)) {
    err = "keylog " + path + ": cannot write: " + std::strerror(errno);
    return nullptr;
  }
  return k;
}

void Keylog::append(const KeylogRecord& r) {
  char line[kKeylogLineMax];
  const size_t len = format_keylog_line(r, realtime_ns(), line);
  ssize_t n = -1;
  if (len != 0) {
    do {
      n = ::write(fd_.get(), line, len);
    } while (n < 0 && errno == EINTR);
  }
  const int saved = errno;
  OPENSSL_cleanse(line, sizeof line);  // the SAK in hex
  if (n == static_cast<ssize_t>(len) && len != 0) {
    ++lines_;
    return;
  }
  if (!write_error_logged_) {
    write_error_logged_ = true;
    log(LogLevel::Error,
        "keylog " + path_ + ": cannot append the SA of sci " + hex16(r.sci) + " an " + std::to_string(r.an) + ": " +
            (len == 0 ? std::string("line too long") : n < 0 ? std::strerror(saved) : std::string("short write")) +
            " (later failures are not logged)");
  }
}

std::unique_ptr<Keylog> open_keylog(const DaemonOptions& o) {
  if (o.keylog.empty()) return nullptr;
  std::string err;
  auto k = Keylog::open(o.keylog, err);
  if (!k) throw ConfigError(err);
  log(LogLevel::Warning,
      "keylog ON: the keys of every SA are written to " + o.keylog +
          " (--keylog). Anyone who reads it can decrypt the link: troubleshooting only, then restart without it",
      {{"KEYLOG", o.keylog}});
  return k;
}

void keylog_manual_keys(Keylog& keylog, const config::KeyFile& keys) {
  auto record = [&](const char* dir, const config::SaKeyEntry& e) {
    KeylogRecord r;
    r.direction = dir;
    r.sci = e.sci;
    r.an = e.an;
    r.suite = keys.suite;
    r.sak = e.sak.view();
    r.ssci = e.ssci;
    r.salt = e.salt.view();
    keylog.append(r);
  };
  for (const auto& e : keys.rx) record("rx", e);
  record("tx", keys.tx);
}

}  // namespace linkcrypt::daemon
