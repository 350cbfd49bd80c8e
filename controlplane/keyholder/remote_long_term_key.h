// linkcryptd's side of the key holder: a LongTermKey whose key lives in the supervised linkcrypt-keyholder process.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "key_description.h"
#include "log_event.h"
#include "long_term_key.h"
#include "unique_fd.h"

namespace linkcrypt::keyholder {

struct KeyHolderSpec {
  std::string program;             // linkcrypt-keyholder (key_holder_program.h finds it)
  std::vector<std::string> args;   // key_source_args(): --psk-file PATH, --psk-uri URI ...
  std::vector<std::string> env;    // "NAME=value": all the key holder gets (a token module's settings)
  int timeout_ms = 3000;           // per request; a silent key holder is Unavailable after this
  std::function<void(const LogEvent&)> log;  // the daemon's logger
};

// Starts the key holder (posix_spawn: no copy of the address space, exec at once, so it is safe
// before and after the DPDK EAL starts), checks that it answers, and supervises it: a thread
// waits on its pidfd and starts a new one when it dies. Requests are synchronous; while no key
// holder answers they fail with KeyError::Unavailable.
class RemoteLongTermKey final : public ike::LongTermKey, public custody::Described {
 public:
  // nullptr with `error` set when the key holder cannot start or does not answer, or, when its
  // key did not load, to its reason (the same line the key in process gives).
  [[nodiscard]] static std::shared_ptr<RemoteLongTermKey> start(KeyHolderSpec spec, std::string& error);
  ~RemoteLongTermKey() override;
  RemoteLongTermKey(const RemoteLongTermKey&) = delete;
  RemoteLongTermKey& operator=(const RemoteLongTermKey&) = delete;

  ike::KeyResult psk_auth(ike::Prf prf, std::span<const uint8_t> signed_octets, const ike::KeyUseContext& use) override;
  ike::KeyResult sign(std::span<const uint8_t> signed_octets, const ike::KeyUseContext& use) override;
  std::vector<uint8_t> public_key_der() const override { return public_key_; }
  // The key holder's own words for its key (the token URI or file, kind, fingerprint), asked at
  // start: linkcryptd's audit log and `linkcryptctl keys` name the key as in process.
  custody::KeyDescription description() const override { return description_; }

  [[nodiscard]] pid_t pid() const;
  [[nodiscard]] unsigned restarts() const;

  explicit RemoteLongTermKey(KeyHolderSpec spec);  // use start()

 private:
  std::string spawn_locked();                // a new child and socket; error line or empty
  void reap_locked(bool kill_it);            // stop and reap the current child
  ike::KeyResult call_locked(int type, ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use);
  void watch();                              // the supervisor thread
  void log(LogLevel level, const std::string& line) const;

  KeyHolderSpec spec_;
  mutable std::mutex mu_;
  pid_t pid_ = -1;
  UniqueFd sock_, pidfd_;
  UniqueFd stop_;                            // eventfd: the destructor wakes the watcher
  uint32_t next_id_ = 1;
  unsigned restarts_ = 0;
  std::vector<uint8_t> public_key_;
  custody::KeyDescription description_;
  std::thread watcher_;
};

}  // namespace linkcrypt::keyholder
