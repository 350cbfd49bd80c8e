// MKA keying's settings (--keying mka): as the operator gives them, and checked into a participant's config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mka_participant.h"

namespace linkcrypt::mka_keying {

// docs/mka.md; the option names are these fields' with "mka-" in front.
struct MkaOptions {
  std::string ckn;                      // mka-ckn: hex, 1..32 octets (802.1X-2020 9.3.1)
  std::string cak_file;                 // mka-cak-file: hex of 16 or 32 octets, mode 0600
  uint32_t key_server_priority = 16;    // mka-key-server-priority: 0..255, lower wins; 255 never key server
  std::string cipher_suite = "gcm-aes-128";  // mka-cipher-suite: gcm-aes-128 | gcm-aes-256
  uint32_t hello_time_ms = 2000;        // mka-hello-time-ms (802.1X-2020 Table 9-3: 2 s)
  uint32_t life_time_ms = 6000;         // mka-life-time-ms (6 s); above the hello time
  uint64_t rekey_interval_s = 0;        // mka-rekey-interval-s: key server: a new SAK this often; 0: on events only
  std::string eapol_address = "01:80:c2:00:00:03";  // mka-eapol-address: MKPDUs' destination (11.1.1)
};

// The checks that need no file: CKN, suite, times, address. Returns an error line that starts with
// the option's name (without "--"), empty when fine.
[[nodiscard]] std::string check_mka_options(const MkaOptions& o);

// "gcm-aes-128" → the 802.1AE Table 14-1 identifier; nullopt for anything else (the XPN suites
// are refused until the participant supports them).
[[nodiscard]] std::optional<uint64_t> parse_mka_cipher_suite(const std::string& name);
[[nodiscard]] std::string mka_cipher_suite_name(uint64_t suite);

// "01:80:c2:00:00:03" or "01-80-C2-00-00-03".
[[nodiscard]] std::optional<mka::Mac> parse_mac(const std::string& text);

// Everything but the SCI and our MAC (which the wire port gives): the CAK read through the one
// secret-file loader. Returns an error line, empty when cfg is filled.
[[nodiscard]] std::string build_participant_config(const MkaOptions& o, mka::ParticipantConfig& cfg);

}  // namespace linkcrypt::mka_keying
