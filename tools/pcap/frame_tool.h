// linkcrypt-pcap's work: protect or validate every frame of a capture with the SecY, verdict per frame.
#pragma once

#include <cstdint>
#include <cstdio>

#include "engine.h"
#include "pcap_file.h"
#include "tool_options.h"

namespace linkcrypt::pcaptool {

struct ToolReport {
  uint64_t frames = 0;
  uint64_t ok = 0;       // protected (protect) or validated and delivered (validate)
  uint64_t dropped = 0;  // every other frame; each has its verdict line and counter
  [[nodiscard]] bool all_ok() const { return dropped == 0; }
};

// Protects in.records in order, the first with PN opts.first_pn, into out (same timestamps,
// same file format); frames the SecY refuses are left out. Writes one verdict line per frame
// ("frame N: pn P OK" or "frame N: - <reason>") unless opts.quiet, then the counters, to `log`.
// Throws std::invalid_argument if the SA cannot be built from opts (start-up only).
[[nodiscard]] ToolReport run_protect(const ToolOptions& opts, secy::CipherEngine& engine,
                                     const pcap::PcapFile& in, pcap::PcapFile& out, std::FILE* log);

// Validates in.records under Strict validation with replay protection (10.6), writing the
// recovered plain frames to out. The SAs: the one of opts.sci/opts.an, or with opts.keylog every
// keylog SA, each frame trying its SCI and AN's SAs in SaSchedule::candidates order (counted once,
// as the SA that validated it or else as the first one tried). Throws std::invalid_argument if
// the SAs cannot be built (start-up only).
[[nodiscard]] ToolReport run_validate(const ToolOptions& opts, secy::CipherEngine& engine,
                                      const pcap::PcapFile& in, pcap::PcapFile& out, std::FILE* log);

}  // namespace linkcrypt::pcaptool
