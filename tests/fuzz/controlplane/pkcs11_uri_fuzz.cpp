// Fuzz target: the RFC 7512 PKCS#11 URI parser (psk-uri, private-key-uri) must refuse malformed text without crashing, and what it accepts must round-trip through redacted_uri.
#include "pkcs11_uri.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::custody;
  Pkcs11Uri uri;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!parse_pkcs11_uri(text, uri).empty()) return 0;
  // The redacted form re-parses to the same path attributes and never carries a pin-value.
  const std::string again = redacted_uri(uri);
  Pkcs11Uri back;
  if (!parse_pkcs11_uri(again, back).empty()) __builtin_trap();
  if (back.pin_value || back.token != uri.token || back.object != uri.object || back.id != uri.id ||
      back.serial != uri.serial || back.slot_id != uri.slot_id || back.type != uri.type)
    __builtin_trap();
  return 0;
}
