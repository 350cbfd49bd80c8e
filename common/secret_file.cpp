// The one loader for files that hold secrets: checks on the descriptor, bounded read into wiped memory.
#include "secret_file.h"

#include "unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace linkcrypt {
namespace {

SecretFileResult fail(SecretFileError e, std::string_view what, const std::string& path, std::string_view why) {
  std::string msg(what);
  msg += ' ';
  msg += path;
  msg += why;
  return {e, std::move(msg)};
}

}  // namespace

SecretFileResult open_secret_file(std::string_view what, const std::string& path, size_t max_len, UniqueFd& out,
                                  size_t& size) {
  // O_NOFOLLOW: a symlink planted in place of the key is refused. O_NONBLOCK: opening a FIFO
  // returns at once instead of waiting for a writer; fstat then refuses it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ELOOP) {
      return {SecretFileError::Symlink, "cannot open " + std::string(what) + " " + path +
                                            ": it is a symbolic link (refused: name the file itself)"};
    }
    return {SecretFileError::NotFound, "cannot open " + std::string(what) + " " + path + ": " + std::strerror(errno)};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return {SecretFileError::ReadFailed, "cannot stat " + std::string(what) + " " + path + ": " + std::strerror(errno)};
  }
  if (!S_ISREG(st.st_mode)) return fail(SecretFileError::NotRegular, what, path, " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return fail(SecretFileError::WrongOwner, what, path,
                " is owned by uid " + std::to_string(st.st_uid) + ", not by this daemon's user (uid " +
                    std::to_string(::geteuid()) + "): refused (run: chown " + std::to_string(::geteuid()) + " " +
                    path + ")");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(SecretFileError::OpenMode, what, path,
                std::string(" has mode ") + mode + ": group/world access is refused (run: chmod 600 " + path + ")");
  }
  if (st.st_size <= 0) return fail(SecretFileError::Empty, what, path, " is empty");
  if (static_cast<uint64_t>(st.st_size) > max_len) {
    return fail(SecretFileError::TooLarge, what, path,
                " is too large (" + std::to_string(st.st_size) + " octets, at most " + std::to_string(max_len) + ")");
  }
  size = static_cast<size_t>(st.st_size);
  out = std::move(fd);
  return {};
}

SecretFileResult load_secret_file(std::string_view what, const std::string& path, size_t max_len,
                                  SecretBytes& out) {
  if (max_len > SecretBytes::kMaxLen) max_len = SecretBytes::kMaxLen;
  UniqueFd fd;
  size_t size = 0;
  if (SecretFileResult r = open_secret_file(what, path, max_len, fd, size); !r.ok()) return r;
  SecretBytes buf(size);
  size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd.get(), buf.mut().data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return {SecretFileError::ReadFailed, "cannot read " + std::string(what) + " " + path + ": " + std::strerror(errno)};
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got != buf.size()) return fail(SecretFileError::ReadFailed, what, path, " changed size while being read");
  out = std::move(buf);
  return {};
}

}  // namespace linkcrypt
