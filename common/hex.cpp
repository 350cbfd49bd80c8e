// Hex text <-> bytes for keys in files, CLI arguments and test vectors.
#include "hex.h"

namespace linkcrypt {

namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view strip_prefix(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  return text;
}

bool is_separator(char c) { return c == ':' || c == '-' || c == ' '; }

// Both public decoders count the digits first (-1 on a bad character), so the output is
// allocated once at its final size, then decode into it: one set of rules for all hex input.
long count_digits(std::string_view text) {
  long digits = 0;
  for (char c : text) {
    if (is_separator(c)) continue;
    if (nibble(c) < 0) return -1;
    ++digits;
  }
  return digits;
}

void decode_into(std::string_view text, uint8_t* out) {
  int high = -1;
  for (char c : text) {
    if (is_separator(c)) continue;
    const int n = nibble(c);
    if (high < 0) {
      high = n;
    } else {
      *out++ = static_cast<uint8_t>((high << 4) | n);
      high = -1;
    }
  }
}

}  // namespace

std::optional<std::vector<uint8_t>> parse_hex(std::string_view text) {
  text = strip_prefix(text);
  const long digits = count_digits(text);
  if (digits < 0 || digits % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(static_cast<size_t>(digits / 2));
  decode_into(text, out.data());
  return out;
}

bool parse_hex_secret(std::string_view text, SecretBytes& out) {
  text = strip_prefix(text);
  const long digits = count_digits(text);
  if (digits <= 0 || digits % 2 != 0 || static_cast<size_t>(digits / 2) > SecretBytes::kMaxLen) return false;
  SecretBytes bytes(static_cast<size_t>(digits / 2));
  decode_into(text, bytes.mut().data());
  out = std::move(bytes);
  return true;
}

std::string to_hex(std::span<const uint8_t> bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xF]);
  }
  return out;
}

}  // namespace linkcrypt
