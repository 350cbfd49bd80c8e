// RFC 7512 PKCS#11 URIs from the config file: "pkcs11:token=..;object=..;id=%01?module-path=..".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::custody {

// The attributes linkcrypt uses to find one key; everything percent-decoded.
struct Pkcs11Uri {
  // path attributes (RFC 7512 2.3): which token, which object
  std::optional<std::string> token, manufacturer, serial, model;
  std::optional<std::string> object;      // CKA_LABEL
  std::optional<std::vector<uint8_t>> id; // CKA_ID (raw octets)
  std::optional<std::string> type;        // private | secret-key | public | cert | data
  std::optional<uint64_t> slot_id;
  // query attributes (RFC 7512 2.4)
  std::optional<std::string> module_path, module_name, pin_source, pin_value;
};

inline constexpr size_t kMaxPkcs11UriLen = 4096;

// Parses untrusted config bytes with the bounds-checked cursor. Returns an error line (names
// the attribute at fault; a pin-value is never echoed), empty on success. Refuses unknown
// non-vendor attributes, repeated attributes, bad percent-encoding, control octets, NULs.
[[nodiscard]] std::string parse_pkcs11_uri(std::string_view text, Pkcs11Uri& out);

// The URI without any pin-value, fit for logs and the audit trail.
[[nodiscard]] std::string redacted_uri(const Pkcs11Uri& uri);

}  // namespace linkcrypt::custody
