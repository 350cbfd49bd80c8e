// The durable PN reservation of a manual transmit key: state file, used-key record, extension.
#pragma once

#include "pn_state.h"
#include "unique_fd.h"

#include <cstdint>
#include <memory>
#include <string>

namespace linkcrypt::config {

inline constexpr const char* kDefaultStateDir = "/var/lib/linkcrypt";
inline constexpr uint64_t kDefaultPnReserveBlock = uint64_t{1} << 20;

struct PnReservationRequest {
  std::string state_dir;   // holds <key id>.pn (the mark) and <key id>.used (record + lock)
  PnKeyId key_id{};
  uint64_t first_pn = 1;   // the key file's next-pn
  uint64_t max_pn = 0;     // the suite's last PN (secy::max_pn)
  uint64_t block = kDefaultPnReserveBlock;  // PNs reserved ahead of the transmit SA
};

// Owns the reservation of one transmit key for the daemon's lifetime (docs/keyfile.md):
// holds an exclusive lock on <id>.used so a second daemon with the same key is refused, and
// writes each new mark durably (temporary file, fsync, rename, fsync of the directory) BEFORE
// the caller lets the transmit SA use the PNs under it. Main lcore only: it makes syscalls.
class PnReservation {
 public:
  // Refuses (nullptr, `err` = one line with a hint, no key bytes) when the state directory is
  // unusable, another daemon holds the key, the key has been used but its state file is
  // missing or corrupt, or the key's PN space is used up. Otherwise the first mark is on disk.
  static std::unique_ptr<PnReservation> open(const PnReservationRequest& r, std::string& err);

  // The first PN to send: above every PN a previous run may have sent.
  [[nodiscard]] uint64_t start_pn() const { return start_pn_; }
  // The highest PN the transmit SA may use now.
  [[nodiscard]] uint64_t reserved_through() const { return mark_; }
  // The mark found on disk (0: a key never used before).
  [[nodiscard]] uint64_t previous_mark() const { return previous_; }
  [[nodiscard]] const std::string& key_id_hex() const { return id_hex_; }
  [[nodiscard]] uint64_t writes() const { return writes_; }

  enum class Extend : uint8_t { NotNeeded, Extended, Failed };
  // Given the SA's next PN (0: an XPN SA past its last PN), writes a new mark a block ahead
  // once fewer than half a block of reserved PNs is left. Failed: `err` says why; the old mark
  // stands and the SA stops at it (TxPnUnreserved) until a later call succeeds.
  Extend extend_if_needed(uint64_t next_pn, std::string& err);

 private:
  PnReservation() = default;
  bool write_mark(uint64_t mark, std::string& err);

  UniqueFd dir_;
  UniqueFd used_;  // <id>.used, flock'ed for our lifetime
  std::string dir_path_, id_hex_;
  PnKeyId id_{};
  uint64_t start_pn_ = 1, mark_ = 0, previous_ = 0, max_pn_ = 0, block_ = 0, writes_ = 0;
};

}  // namespace linkcrypt::config
