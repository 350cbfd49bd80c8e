#include "ini_lines.h"

#include "byte_reader.h"

namespace linkcrypt {
namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

IniLine parse_ini_line(std::string_view line) {
  using Kind = IniLine::Kind;
  for (char c : line) {
    const auto u = static_cast<uint8_t>(c);
    if ((u < 0x20 && c != '\t' && c != '\r') || u >= 0x7F) return {Kind::BadCharacter, {}, {}};
  }
  if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  line = trim(line);
  if (line.empty()) return {Kind::Blank, {}, {}};
  if (line.front() == '[') {
    if (line.size() < 3 || line.back() != ']') return {Kind::BadSyntax, {}, {}};
    return {Kind::Section, trim(line.substr(1, line.size() - 2)), {}};
  }
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return {Kind::BadSyntax, {}, {}};
  const std::string_view key = trim(line.substr(0, eq));
  const std::string_view value = trim(line.substr(eq + 1));
  if (key.empty() || value.empty()) return {Kind::BadSyntax, {}, {}};
  return {Kind::Pair, key, value};
}

LineWalk for_each_line(std::span<const uint8_t> text, size_t max_line_len,
                       const std::function<bool(std::string_view)>& on_line) {
  ByteReader reader(text);
  LineWalk w;
  while (!reader.empty()) {
    ++w.line_no;
    const std::span<const uint8_t> rest = reader.rest();
    size_t len = 0;
    while (len < rest.size() && rest[len] != '\n') ++len;
    std::span<const uint8_t> bytes;
    if (len > max_line_len || !reader.read_bytes(len, bytes)) {
      w.too_long = true;
      return w;
    }
    if (!reader.empty()) (void)reader.skip(1);  // the '\n' that ended the line: rest holds it
    if (!on_line(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))) return w;
  }
  return w;
}

}  // namespace linkcrypt
