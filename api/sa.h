// `sa`: one row per SA, transmit then receive, as the SecY holds it (suite, SCI, PNs) plus the
// keying controller's view (key id, age, retiring).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::api {

struct SaRow {
  std::string direction;                      // "tx" | "rx"
  uint8_t an = 0;
  std::string sci;                            // 16 hex digits; tx rows: the transmit SC
  std::string suite;                          // secy::cipher_suite_name
  std::optional<std::string> key_id;          // 16 hex digits; null with manual keys
  uint64_t next_pn = 0;
  std::optional<uint64_t> lowest_pn;          // rx only: 10.6.2 lowestPN (window and KaY floor)
  uint64_t pn_headroom = 0;                   // secy::pn_headroom: PNs left in the suite's space
  std::optional<double> time_to_exhaustion_s; // headroom / sampled PN rate; null before a rate
  std::optional<uint64_t> age_s;              // since installed; null with manual keys
  uint64_t packets = 0;
  uint64_t octets = 0;
  uint64_t errors = 0;
  std::optional<double> rate_pps;             // packets/s over the daemon's last 1 s sample; null before two
  std::optional<double> rate_bps;             // user data bit/s (octets above × 8), same sample
  std::string state;                          // tx: "active" | "standby"; rx: "active" | "retiring"
  std::optional<bool> threshold_reached;      // tx only: the rekey PN threshold was passed
  // Exact for JSON readers that hold numbers as doubles (jq 1.6, JavaScript): XPN headroom is
  // always above 2^53. docs/control-socket.md, "Numbers above 2^53".
  std::string pn_headroom_str;                // pn_headroom in decimal
  double pn_used_percent = 0;                 // share of the suite's PN space used, 0..100
};
constexpr auto fields_of(std::type_identity<SaRow>) {
  using S = SaRow;
  return std::tuple{field("direction", &S::direction), field("an", &S::an), field("sci", &S::sci),
                    field("suite", &S::suite), field("key_id", &S::key_id), field("next_pn", &S::next_pn),
                    field("lowest_pn", &S::lowest_pn, Absent::kOmitted),
                    field("pn_headroom", &S::pn_headroom),
                    field("time_to_exhaustion_s", &S::time_to_exhaustion_s), field("age_s", &S::age_s),
                    field("packets", &S::packets), field("octets", &S::octets), field("errors", &S::errors),
                    field("rate_pps", &S::rate_pps), field("rate_bps", &S::rate_bps),
                    field("state", &S::state),
                    field("threshold_reached", &S::threshold_reached, Absent::kOmitted),
                    field("pn_headroom_str", &S::pn_headroom_str), field("pn_used_percent", &S::pn_used_percent)};
}

struct SaResult {
  std::vector<SaRow> sas;
};
constexpr auto fields_of(std::type_identity<SaResult>) { return std::tuple{field("sas", &SaResult::sas)}; }

}  // namespace linkcrypt::api
