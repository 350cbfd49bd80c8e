// --keylog: the one place linkcryptd writes key material, one line per installed SA, for offline decryption (docs/keylog.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "cipher_suite.h"
#include "key_file.h"
#include "unique_fd.h"

namespace linkcrypt::daemon {

struct DaemonOptions;

// One installed SA, as linkcrypt-pcap needs it to validate the SA's frames.
struct KeylogRecord {
  const char* direction = "rx";           // "tx" | "rx": which of this daemon's SAs
  uint64_t sci = 0;                       // the transmitter's SCI (ours for tx, the peer's for rx)
  uint8_t an = 0;
  std::optional<uint64_t> key_id;         // the IKE child's key id; none for manual keys
  secy::CipherSuite suite = secy::CipherSuite::GcmAesXpn256;
  std::span<const uint8_t> sak;
  uint32_t ssci = 0;                      // XPN only
  std::span<const uint8_t> salt;          // XPN only: 12 octets
};

// The longest line format_keylog_line writes (a 32-octet SAK), newline included.
inline constexpr size_t kKeylogLineMax = 384;

// Writes the MACSEC_SA line of `r` installed at `installed_ns` (CLOCK_REALTIME) into `out`;
// returns its length, 0 if `out` is too small. The caller wipes `out` (it holds the SAK in hex).
[[nodiscard]] size_t format_keylog_line(const KeylogRecord& r, int64_t installed_ns, std::span<char> out);

class Keylog {
 public:
  // Opens `path` for appending, creating it with mode 0600 (and a header comment). Refuses a
  // symbolic link (O_NOFOLLOW), anything but a regular file, a file another user owns and a file
  // with any group/other permission bit: returns nullptr and a one-line reason in `err`.
  [[nodiscard]] static std::unique_ptr<Keylog> open(const std::string& path, std::string& err);

  // Appends r's line, stamped now, with one write(2) (O_APPEND: lines of two daemons sharing a
  // file never interleave). Control plane only, never the fast path. A failed write is logged
  // once, never fatal: the link matters more than the troubleshooting aid.
  void append(const KeylogRecord& r);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] uint64_t lines() const { return lines_; }

 private:
  Keylog(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
  uint64_t lines_ = 0;
  bool write_error_logged_ = false;
};

// Start-up: nullptr without --keylog; else the open keylog, after a warning in the log. Throws
// ConfigError (exit 2) if the file is refused.
[[nodiscard]] std::unique_ptr<Keylog> open_keylog(const DaemonOptions& o);

// Manual keying: a line for each [rx] SA and the [tx] SA of the key file.
void keylog_manual_keys(Keylog& keylog, const config::KeyFile& keys);

}  // namespace linkcrypt::daemon
