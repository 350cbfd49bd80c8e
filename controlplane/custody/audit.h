// The audit trail of the long-term key (issue 11 §4): one structured line per use, to the daemon's log and an optional JSON-lines file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "key_description.h"
#include "log_event.h"
#include "long_term_key.h"
#include "unique_fd.h"

namespace linkcrypt::custody {

struct AuditRecord {
  int64_t unix_ms = 0;
  KeyDescription key;
  std::string operation;  // psk_auth | sign
  std::string purpose;    // our_auth | verify_peer_auth
  std::string peer;       // the peer's identity as text ("" when not known yet)
  uint64_t spi_i = 0, spi_r = 0;
  ike::KeyError result = ike::KeyError::None;
  std::string detail;     // why it failed; never key material
};

// Per key, for `linkcryptctl keys`.
struct KeyUseStats {
  KeyDescription key;
  uint64_t uses = 0;
  uint64_t failures = 0;
  int64_t last_use_ms = 0;  // 0: never
  std::string last_result;
};

class AuditSink {
 public:
  using LogFn = std::function<void(const LogEvent&)>;
  explicit AuditSink(LogFn log) : log_(std::move(log)) {}
  // --audit-log FILE: appended to (O_APPEND, created 0600). Returns an error line, empty on success.
  [[nodiscard]] std::string open_json_file(const std::string& path);
  // Makes a key known before its first use (so `keys` lists it with 0 uses).
  void announce(const KeyDescription& key);
  void record(const AuditRecord& r);
  [[nodiscard]] std::vector<KeyUseStats> stats() const;

 private:
  LogFn log_;
  UniqueFd json_;
  mutable std::mutex mu_;  // the control socket and sessions may not share a thread in future
  std::vector<KeyUseStats> stats_;
};

// The JSON line for one record (no trailing newline); its fields are documented in docs/hsm.md.
[[nodiscard]] std::string audit_json_line(const AuditRecord& r);
[[nodiscard]] std::string identity_text(const ike::Identity& id);

// Every call through the returned key is recorded in `sink`, which must outlive it.
[[nodiscard]] std::shared_ptr<ike::LongTermKey> audited(std::shared_ptr<ike::LongTermKey> key, AuditSink& sink);

// The daemon's sink, wrapped around every key build_keying_config opens (nullptr: none).
void set_process_audit_sink(AuditSink* sink);
[[nodiscard]] AuditSink* process_audit_sink();

}  // namespace linkcrypt::custody
