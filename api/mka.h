// `mka`: the MKA participant (keying = mka): actor, peers, the SAK in use, the CAK by its CKN only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/field_list.h"
#include "api/stats.h"

namespace linkcrypt::api {

struct MkaPeer {
  std::string mi;          // Member Identifier, 24 hex digits
  uint32_t mn = 0;         // the latest Message Number seen
  std::string sci;         // 16 hex digits
  uint32_t priority = 0;   // key server priority, 0..255
  bool live = false;       // false: a potential peer (802.1X-2020 9.4.2)
  bool key_server = false; // it says it is the key server
};
constexpr auto fields_of(std::type_identity<MkaPeer>) {
  using S = MkaPeer;
  return std::tuple{field("mi", &S::mi), field("mn", &S::mn), field("sci", &S::sci), field("priority", &S::priority),
                    field("live", &S::live), field("key_server", &S::key_server)};
}

// The latest SAK (802.1X-2020 9.8): named by its key server's MI and Key Number; never its bytes.
struct MkaSak {
  std::string key_server_mi;
  uint32_t kn = 0;
  uint32_t an = 0;
  std::string suite;  // gcm-aes-128 | gcm-aes-256
  bool tx = false;    // we transmit with it
  bool rx = false;    // we receive with it
};
constexpr auto fields_of(std::type_identity<MkaSak>) {
  using S = MkaSak;
  return std::tuple{field("key_server_mi", &S::key_server_mi), field("kn", &S::kn), field("an", &S::an),
                    field("suite", &S::suite), field("tx", &S::tx), field("rx", &S::rx)};
}

struct MkaResult {
  std::string ckn;          // the CAK in use, by its CKN (hex); the CAK itself is never shown
  std::string mi;           // our Member Identifier
  uint32_t mn = 0;          // our latest Message Number
  std::string sci;
  uint32_t priority = 0;    // our key server priority
  bool key_server = false;  // we are the elected key server
  std::string suite;        // configured: gcm-aes-128 | gcm-aes-256
  std::vector<MkaPeer> peers;
  std::optional<MkaSak> sak;          // null before a SAK
  std::optional<uint32_t> tx_an;      // null: nothing is transmitted (must-secure)
  uint64_t rotations = 0;             // SAKs transmission switched to
  std::optional<std::string> failure;         // CakMismatch | CknMismatch | CipherMismatch | PeerLost
  std::optional<std::string> failure_detail;  // "MKPDU ICV mismatch for CKN ..."
  std::optional<std::string> failure_hint;
  CounterMap counters;                // MKPDUs sent/received/valid and why others were dropped
};
constexpr auto fields_of(std::type_identity<MkaResult>) {
  using S = MkaResult;
  return std::tuple{field("ckn", &S::ckn), field("mi", &S::mi), field("mn", &S::mn), field("sci", &S::sci),
                    field("priority", &S::priority), field("key_server", &S::key_server), field("suite", &S::suite),
                    field("peers", &S::peers), field("sak", &S::sak), field("tx_an", &S::tx_an),
                    field("rotations", &S::rotations), field("failure", &S::failure),
                    field("failure_detail", &S::failure_detail), field("failure_hint", &S::failure_hint),
                    field("counters", &S::counters)};
}

}  // namespace linkcrypt::api
