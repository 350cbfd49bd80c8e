// PnReservation: open/refuse, the crash-safe mark write, and the ahead-of-time extension.
#include "pn_reservation.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace linkcrypt::config {
namespace {

constexpr size_t kMaxReadLen = 4096;  // a state file is 40 octets; read a little more to see trailing bytes
constexpr std::string_view kRotateHint =
    ": sending with this key could repeat a (key, PN) pair, which breaks GCM; rotate the key "
    "(new SAKs in the key file, docs/keyfile.md)";

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, std::span<const uint8_t> b) {
  while (!b.empty()) {
    const ssize_t n = ::write(fd, b.data(), b.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    b = b.subspan(static_cast<size_t>(n));
  }
  return true;
}

uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

// The directory: created 0700 if missing; must be a real directory owned by us that nobody
// else can write (they could swap our state file for an older one).
UniqueFd open_state_dir(const std::string& path, std::string& err) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    err = "cannot create state directory " + path + ": " + errno_text() + " (set --state-dir)";
    return {};
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    err = "cannot open state directory " + path + ": " + errno_text() + " (set --state-dir; a symlink is refused)";
    return {};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    err = "state directory " + path + " is not a directory";
    return {};
  }
  if (st.st_uid != ::geteuid()) {
    err = "state directory " + path + " is owned by uid " + std::to_string(st.st_uid) + ", not by this daemon's user (uid " +
          std::to_string(::geteuid()) + ")";
    return {};
  }
  if ((st.st_mode & 022) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    err = "state directory " + path + " has mode " + mode + ": others could write it (run: chmod 700 " + path + ")";
    return {};
  }
  return fd;
}

}  // namespace

std::unique_ptr<PnReservation> PnReservation::open(const PnReservationRequest& r, std::string& err) {
  std::unique_ptr<PnReservation> p(new PnReservation());
  p->dir_path_ = r.state_dir;
  p->id_ = r.key_id;
  p->id_hex_ = pn_key_id_hex(r.key_id);
  p->max_pn_ = r.max_pn;
  p->block_ = r.block < 2 ? 2 : r.block;
  const std::string key = "transmit key " + p->id_hex_;
  const std::string state_path = r.state_dir + "/" + p->id_hex_ + ".pn";
  const std::string used_path = r.state_dir + "/" + p->id_hex_ + ".used";

  p->dir_ = open_state_dir(r.state_dir, err);
  if (!p->dir_.valid()) return nullptr;

  // <id>.used: the record that this key has been used (non-empty), and the lock.
  p->used_.reset(::openat(p->dir_.get(), (p->id_hex_ + ".used").c_str(),
                          O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  struct stat ust {};
  if (!p->used_.valid() || ::fstat(p->used_.get(), &ust) != 0) {
    err = "cannot open " + used_path + ": " + errno_text();
    return nullptr;
  }
  if (!S_ISREG(ust.st_mode)) {
    err = used_path + " is not a regular file";
    return nullptr;
  }
  if (::flock(p->used_.get(), LOCK_EX | LOCK_NB) != 0) {
    err = key + " is in use by another running linkcryptd (" + used_path +
          " is locked): two daemons sending with one key would repeat PNs";
    return nullptr;
  }
  const bool used_before = ust.st_size > 0;

  // <id>.pn: the mark.
  UniqueFd sf(::openat(p->dir_.get(), (p->id_hex_ + ".pn").c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!sf.valid() && errno != ENOENT) {
    err = "cannot open PN state file " + state_path + ": " + errno_text() + std::string(kRotateHint);
    return nullptr;
  }
  if (sf.valid()) {
    struct stat st {};
    if (::fstat(sf.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      err = "PN state file " + state_path + " is not a regular file" + std::string(kRotateHint);
      return nullptr;
    }
    uint8_t buf[kMaxReadLen];
    size_t got = 0;
    for (;;) {
      const ssize_t n = ::read(sf.get(), buf + got, sizeof buf - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        err = "cannot read PN state file " + state_path + ": " + errno_text();
        return nullptr;
      }
      if (n == 0 || (got += static_cast<size_t>(n)) == sizeof buf) break;
    }
    PnState s;
    const PnStateError e = parse_pn_state({buf, got}, s);
    if (e != PnStateError::Ok) {
      err = "PN state file " + state_path + " is corrupt (" + std::string(pn_state_error_name(e)) + ")" + std::string(kRotateHint);
      return nullptr;
    }
    if (s.key_id != r.key_id) {
      err = "PN state file " + state_path + " is corrupt (it names another key)" + std::string(kRotateHint);
      return nullptr;
    }
    p->previous_ = s.reserved_through;
  } else if (used_before) {
    err = "PN state file " + state_path + " is missing, but " + key + " has been used (" + used_path + ")" +
          std::string(kRotateHint);
    return nullptr;
  }

  if (p->previous_ >= r.max_pn) {
    err = key + " has used its whole PN space (mark " + std::to_string(p->previous_) + " in " + state_path +
          "): rotate the key (new SAKs in the key file, docs/keyfile.md)";
    return nullptr;
  }
  p->start_pn_ = std::max(r.first_pn, p->previous_ + 1);
  if (p->start_pn_ > r.max_pn) {
    err = key + ": next-pn " + std::to_string(r.first_pn) + " is beyond the suite's PN space";
    return nullptr;
  }
  if (!p->write_mark(std::min(r.max_pn, sat_add(p->start_pn_, p->block_ - 1)), err)) return nullptr;
  if (!used_before) {
    // Only now that a mark is durable: a crash before this line leaves the state file, which
    // is all a restart needs.
    static constexpr uint8_t kUsed[] = {'u', 's', 'e', 'd', '\n'};
    if (!write_all(p->used_.get(), kUsed) || ::fsync(p->used_.get()) != 0) {
      err = "cannot write " + used_path + ": " + errno_text();
      return nullptr;
    }
  }
  return p;
}

bool PnReservation::write_mark(uint64_t mark, std::string& err) {
  const std::string tmp = id_hex_ + ".pn.tmp", final_name = id_hex_ + ".pn";
  const std::vector<uint8_t> bytes = build_pn_state({id_, mark});
  UniqueFd fd(::openat(dir_.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  const char* step = "create";
  bool ok = fd.valid();
  if (ok) ok = (step = "set mode of", ::fchmod(fd.get(), 0600) == 0);
  if (ok) ok = (step = "write", write_all(fd.get(), bytes));
  if (ok) ok = (step = "fsync", ::fsync(fd.get()) == 0);
  if (ok) ok = (step = "rename", ::renameat(dir_.get(), tmp.c_str(), dir_.get(), final_name.c_str()) == 0);
  // The rename is durable only once the directory is.
  if (ok) ok = (step = "fsync the directory of", ::fsync(dir_.get()) == 0);
  if (!ok) {
    err = std::string("cannot ") + step + " PN state file " + dir_path_ + "/" + tmp + ": " + errno_text();
    return false;
  }
  mark_ = mark;
  ++writes_;
  return true;
}

PnReservation::Extend PnReservation::extend_if_needed(uint64_t next_pn, std::string& err) {
  if (next_pn == 0 || mark_ >= max_pn_) return Extend::NotNeeded;
  const uint64_t left = next_pn > mark_ ? 0 : mark_ - next_pn + 1;
  if (left >= block_ / 2) return Extend::NotNeeded;
  const uint64_t target = std::min(max_pn_, sat_add(next_pn, block_ - 1));
  if (target <= mark_) return Extend::NotNeeded;
  return write_mark(target, err) ? Extend::Extended : Extend::Failed;
}

}  // namespace linkcrypt::config
