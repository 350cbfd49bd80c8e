// The line syntax of the project's INI-style secret files (the manual key file, the MKA keychain):
// '#' comments, [section] and key = value lines in printable ASCII, read one line at a time by a
// bounds-checked walk over the file's bytes. One reader, so both files refuse the same things.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace linkcrypt {

struct IniLine {
  enum class Kind : uint8_t { Blank, Section, Pair, BadCharacter, BadSyntax };
  Kind kind = Kind::Blank;
  std::string_view name;   // the section's name, or the pair's key (trimmed)
  std::string_view value;  // the pair's value (trimmed, never empty)
};

// Blank and comment-only lines are Blank; a control character other than tab/CR, or a non-ASCII
// octet anywhere (comments too), is BadCharacter.
[[nodiscard]] IniLine parse_ini_line(std::string_view line);

struct LineWalk {
  size_t line_no = 0;     // the last line handed on (or the one that was too long); 1-based
  bool too_long = false;  // that line had more than max_line_len octets
};

// Hands every '\n'-separated line of `text` (without the '\n') to `on_line` until it returns
// false or a line is longer than max_line_len.
LineWalk for_each_line(std::span<const uint8_t> text, size_t max_line_len,
                       const std::function<bool(std::string_view)>& on_line);

}  // namespace linkcrypt
