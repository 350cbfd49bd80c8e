// The one loader for files that hold secrets (key files, PSKs, private keys, SAK files).
#pragma once

#include "secret.h"
#include "unique_fd.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace linkcrypt {

// Every way a secret file is refused. Checked on the open descriptor (fstat), never on the
// path, so the file cannot be swapped between the check and the read.
enum class SecretFileError : uint8_t {
  Ok,
  NotFound,      // open failed for another reason (missing, no permission ...)
  Symlink,       // the path is a symbolic link: O_NOFOLLOW refuses to follow it
  NotRegular,    // a directory, FIFO, socket or device
  WrongOwner,    // owned by a user other than the daemon's effective user
  OpenMode,      // group or other permission bits set (mode & 077)
  TooLarge,      // more than the caller's cap
  Empty,         // zero octets
  ReadFailed,    // read error, or the file changed size while read
};

struct SecretFileResult {
  SecretFileError error = SecretFileError::Ok;
  std::string message;  // one line naming `what` and the path; never any content
  [[nodiscard]] bool ok() const { return error == SecretFileError::Ok; }
};

inline constexpr size_t kMaxSecretFileLen = 64 * 1024;

// Opens `path` with O_NOFOLLOW|O_NONBLOCK (a FIFO never blocks), requires a regular file owned
// by geteuid() with mode & 077 == 0 and 1..max_len octets, and reads it whole into `out`
// (wiped memory). `what` names the file in the message ("psk-file", "key file" ...).
// The same checks without the read, for files too large for one SecretBytes (the keylog):
// on success `fd` is open for reading and `size` is the file's size (1..max_len).
[[nodiscard]] SecretFileResult open_secret_file(std::string_view what, const std::string& path, size_t max_len,
                                                UniqueFd& fd, size_t& size);

[[nodiscard]] SecretFileResult load_secret_file(std::string_view what, const std::string& path,
                                                size_t max_len, SecretBytes& out);

}  // namespace linkcrypt
