// Hex text <-> bytes for keys in files, CLI arguments and test vectors.
#pragma once

#include "secret.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt {

// Accepts upper/lower case; ignores ':', '-' and ' ' separators and a leading "0x".
// Returns nullopt on any other character or an odd digit count.
[[nodiscard]] std::optional<std::vector<uint8_t>> parse_hex(std::string_view text);

// The same rules, decoded straight into wiped memory (the only decoder for key bytes: no
// unwiped intermediate copy exists). Also false when no digit is given. `out` is untouched on
// failure.
[[nodiscard]] bool parse_hex_secret(std::string_view text, SecretBytes& out);

[[nodiscard]] std::string to_hex(std::span<const uint8_t> bytes, bool upper = true);

}  // namespace linkcrypt
