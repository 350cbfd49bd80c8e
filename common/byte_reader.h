// Bounds-checked big-endian cursor over untrusted bytes: it advances only on success.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace linkcrypt {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> in) : rest_(in) {}

  [[nodiscard]] bool read_u8(uint8_t& out) {
    if (rest_.empty()) return false;
    out = rest_[0];
    rest_ = rest_.subspan(1);
    return true;
  }
  [[nodiscard]] bool read_u16(uint16_t& out) { return read_be(out); }
  [[nodiscard]] bool read_u24(uint32_t& out) {
    if (rest_.size() < 3) return false;
    out = (uint32_t{rest_[0]} << 16) | (uint32_t{rest_[1]} << 8) | rest_[2];
    rest_ = rest_.subspan(3);
    return true;
  }
  [[nodiscard]] bool read_u32(uint32_t& out) { return read_be(out); }
  [[nodiscard]] bool read_u64(uint64_t& out) { return read_be(out); }

  // Little-endian variants, for formats defined that way (pcap file headers).
  [[nodiscard]] bool read_u16_le(uint16_t& out) { return read_le(out); }
  [[nodiscard]] bool read_u32_le(uint32_t& out) { return read_le(out); }

  [[nodiscard]] bool read_bytes(size_t len, std::span<const uint8_t>& out) {
    if (rest_.size() < len) return false;
    out = rest_.first(len);
    rest_ = rest_.subspan(len);
    return true;
  }
  // Copies exactly out.size() bytes.
  [[nodiscard]] bool read_into(std::span<uint8_t> out) {
    if (rest_.size() < out.size()) return false;
    for (size_t i = 0; i < out.size(); ++i) out[i] = rest_[i];
    rest_ = rest_.subspan(out.size());
    return true;
  }
  // A nested reader over the next len bytes (for length-prefixed structures).
  [[nodiscard]] bool read_sub(size_t len, ByteReader& out) {
    std::span<const uint8_t> s;
    if (!read_bytes(len, s)) return false;
    out = ByteReader(s);
    return true;
  }
  [[nodiscard]] bool skip(size_t len) {
    if (rest_.size() < len) return false;
    rest_ = rest_.subspan(len);
    return true;
  }
  [[nodiscard]] bool peek_u8(uint8_t& out) const {
    if (rest_.empty()) return false;
    out = rest_[0];
    return true;
  }

  [[nodiscard]] bool empty() const { return rest_.empty(); }
  [[nodiscard]] size_t remaining() const { return rest_.size(); }
  [[nodiscard]] std::span<const uint8_t> rest() const { return rest_; }

 private:
  template <typename T>
  bool read_be(T& out) {
    if (rest_.size() < sizeof(T)) return false;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | rest_[i]);
    out = v;
    rest_ = rest_.subspan(sizeof(T));
    return true;
  }
  template <typename T>
  bool read_le(T& out) {
    if (rest_.size() < sizeof(T)) return false;
    T v = 0;
    for (size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | rest_[i]);
    out = v;
    rest_ = rest_.subspan(sizeof(T));
    return true;
  }

  std::span<const uint8_t> rest_;
};

}  // namespace linkcrypt
