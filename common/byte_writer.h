// Appending big-endian writer for building messages we send (our own bytes, not untrusted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace linkcrypt {

class ByteWriter {
 public:
  void put_u8(uint8_t v) { out_.push_back(v); }
  void put_u16(uint16_t v) { put_be(v, 2); }
  void put_u24(uint32_t v) { put_be(v, 3); }
  void put_u32(uint32_t v) { put_be(v, 4); }
  void put_u64(uint64_t v) { put_be(v, 8); }
  void put_u16_le(uint16_t v) { put_le(v, 2); }
  void put_u32_le(uint32_t v) { put_le(v, 4); }
  void put_bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void put_zeros(size_t n) { out_.insert(out_.end(), n, 0); }

  // Reserve a 16-bit big-endian length field now, fill it in later with patch_u16().
  [[nodiscard]] size_t mark_u16() {
    size_t at = out_.size();
    put_u16(0);
    return at;
  }
  void patch_u16(size_t at, uint16_t v) {
    out_[at] = static_cast<uint8_t>(v >> 8);
    out_[at + 1] = static_cast<uint8_t>(v);
  }
  void patch_u32(size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) out_[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }

  [[nodiscard]] size_t size() const { return out_.size(); }
  [[nodiscard]] std::span<const uint8_t> view() const { return out_; }
  [[nodiscard]] std::vector<uint8_t>& bytes() { return out_; }
  [[nodiscard]] std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void put_be(uint64_t v, size_t n) {
    for (size_t i = n; i-- > 0;) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void put_le(uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }

  std::vector<uint8_t> out_;
};

}  // namespace linkcrypt
