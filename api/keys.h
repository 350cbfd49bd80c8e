// `keys`: each long-term key (PSK or private key, file or token) with its fingerprint, use count and last use (issue 11 §4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

struct KeyRow {
  std::string key;          // redacted PKCS#11 URI, or "psk-file PATH" / "private-key-file PATH"
  std::string kind;         // psk | ed25519 | ecdsa-p256
  std::string fingerprint;  // sha256:SPKI, or for a PSK cka-id:... / hmac-sha256:... (docs/hsm.md)
  uint64_t uses = 0;
  uint64_t failures = 0;
  int64_t last_use = 0;     // Unix seconds; 0: never used
  std::string last_result;  // ok | Unavailable | NotFound | Denied | Unsupported | Failed; "" if never used
};
constexpr auto fields_of(std::type_identity<KeyRow>) {
  using S = KeyRow;
  return std::tuple{field("key", &S::key), field("kind", &S::kind), field("fingerprint", &S::fingerprint),
                    field("uses", &S::uses), field("failures", &S::failures), field("last_use", &S::last_use),
                    field("last_result", &S::last_result)};
}

struct KeysResult {
  std::vector<KeyRow> keys;
};
constexpr auto fields_of(std::type_identity<KeysResult>) { return std::tuple{field("keys", &KeysResult::keys)}; }

}  // namespace linkcrypt::api
