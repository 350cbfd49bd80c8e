// Key material holders: non-copyable, in locked undumpable pages, wiped with OPENSSL_cleanse when they die.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "secure_memory.h"

namespace linkcrypt {

// Fixed-size secret (SAKs, salts). Its octets live in the secure arena (secure_memory.h), never
// on the heap or the stack; the object itself only points at them. Neither copyable nor movable.
template <size_t N>
class Secret {
 public:
  Secret() : bytes_(static_cast<uint8_t*>(secure_alloc(N))) {}
  explicit Secret(std::span<const uint8_t, N> in) : Secret() { std::copy(in.begin(), in.end(), bytes_); }
  ~Secret() { secure_free(bytes_, N); }  // wipes
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  [[nodiscard]] std::span<const uint8_t, N> view() const { return std::span<const uint8_t, N>(bytes_, N); }
  [[nodiscard]] std::span<uint8_t, N> mut() { return std::span<uint8_t, N>(bytes_, N); }
  [[nodiscard]] static constexpr size_t size() { return N; }

 private:
  uint8_t* bytes_;
};

// Variable-size secret (DH shared secrets, SK_d, PSKs): one allocation of the final size in the
// secure arena, so no reallocation ever leaves an unwiped copy behind. Move-only; share() gives
// a second handle on the SAME octets (one copy in memory, wiped when the last handle dies).
class SecretBytes {
 public:
  // No key, shared secret or PSK comes near this; a larger size is a programming error.
  static constexpr size_t kMaxLen = 64 * 1024;

  SecretBytes() = default;
  explicit SecretBytes(size_t len) : len_(len) {
    if (len > kMaxLen) std::abort();
    if (len) data_.reset(static_cast<uint8_t*>(secure_alloc(len)), Free{len});
  }
  explicit SecretBytes(std::span<const uint8_t> in) : SecretBytes(in.size()) {
    std::copy(in.begin(), in.end(), data_.get());
  }
  ~SecretBytes() = default;  // the last handle's Free wipes
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)), len_(o.len_) { o.len_ = 0; }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      data_ = std::move(o.data_);
      len_ = o.len_;
      o.len_ = 0;
    }
    return *this;
  }

  // A second copy of the octets (for a holder that will change them).
  [[nodiscard]] SecretBytes clone() const { return SecretBytes(view()); }
  // Another handle on the same octets: for long-term keys several configurations refer to.
  [[nodiscard]] SecretBytes share() const {
    SecretBytes s;
    s.data_ = data_;
    s.len_ = len_;
    return s;
  }
  [[nodiscard]] std::span<const uint8_t> view() const { return {data_.get(), len_}; }
  // Only the sole handle may write: a shared secret changing under another holder is a bug.
  [[nodiscard]] std::span<uint8_t> mut() {
    if (data_.use_count() > 1) std::abort();
    return {data_.get(), len_};
  }
  [[nodiscard]] size_t size() const { return len_; }
  [[nodiscard]] bool empty() const { return len_ == 0; }

 private:
  struct Free {
    size_t len;
    void operator()(uint8_t* p) const { secure_free(p, len); }
  };
  std::shared_ptr<uint8_t> data_;
  size_t len_ = 0;
};

}  // namespace linkcrypt
