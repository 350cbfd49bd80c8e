// Key material holders: non-copyable, wiped with OPENSSL_cleanse when they die.
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace linkcrypt {

// Fixed-size secret (SAKs, salts): lives inline, so no copy escapes into the heap.
template <size_t N>
class Secret {
 public:
  Secret() { bytes_.fill(0); }
  explicit Secret(std::span<const uint8_t, N> in) { std::copy(in.begin(), in.end(), bytes_.begin()); }
  ~Secret() { OPENSSL_cleanse(bytes_.data(), N); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  [[nodiscard]] std::span<const uint8_t, N> view() const { return bytes_; }
  [[nodiscard]] std::span<uint8_t, N> mut() { return bytes_; }
  [[nodiscard]] static constexpr size_t size() { return N; }

 private:
  std::array<uint8_t, N> bytes_;
};

// Variable-size secret (DH shared secrets, SK_d, PSKs): one allocation of the final size, so
// no reallocation ever leaves an unwiped copy behind. Move-only.
class SecretBytes {
 public:
  // No key, shared secret or PSK comes near this; a larger size is a programming error.
  static constexpr size_t kMaxLen = 64 * 1024;

  SecretBytes() = default;
  explicit SecretBytes(size_t len) : len_(len) {
    if (len > kMaxLen) std::abort();
    if (len) data_.reset(new uint8_t[len]());
  }
  explicit SecretBytes(std::span<const uint8_t> in) : SecretBytes(in.size()) {
    std::copy(in.begin(), in.end(), data_.get());
  }
  ~SecretBytes() { wipe(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)), len_(o.len_) { o.len_ = 0; }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      len_ = o.len_;
      o.len_ = 0;
    }
    return *this;
  }

  [[nodiscard]] SecretBytes clone() const { return SecretBytes(view()); }
  [[nodiscard]] std::span<const uint8_t> view() const { return {data_.get(), len_}; }
  [[nodiscard]] std::span<uint8_t> mut() { return {data_.get(), len_}; }
  [[nodiscard]] size_t size() const { return len_; }
  [[nodiscard]] bool empty() const { return len_ == 0; }

 private:
  void wipe() {
    if (data_) OPENSSL_cleanse(data_.get(), len_);
    data_.reset();
    len_ = 0;
  }
  std::unique_ptr<uint8_t[]> data_;
  size_t len_ = 0;
};

}  // namespace linkcrypt
