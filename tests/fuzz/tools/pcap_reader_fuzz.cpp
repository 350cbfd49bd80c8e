// Fuzz target: arbitrary bytes as a capture (pcap or pcapng) through libpcap and our checks; what reads must survive a pcap write/re-read.
#include <cstdlib>

#include "pcap_file.h"

using namespace linkcrypt::pcap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  PcapFile file;
  PcapParseError err;
  if (!parse_pcap({data, size}, file, err)) {
    // Every refusal must have a reason and a printable message.
    if (err.reason == PcapError::None || describe_pcap_error(err).empty()) std::abort();
    return 0;
  }
  // Property: every record is a whole Ethernet-capable frame we can hold, and what we read we
  // write back (classic pcap, same byte order and resolution) and re-read to the same records.
  for (const auto& r : file.records) {
    if (r.frame.size() > kMaxRecordLen) std::abort();
  }
  const auto rewritten = build_pcap(file);
  PcapFile again;
  if (!parse_pcap(rewritten, again, err)) std::abort();
  if (again.header.format != FileFormat::Pcap) std::abort();
  if (again.records.size() != file.records.size()) std::abort();
  if (again.header.byte_order != file.header.byte_order ||
      again.header.resolution != file.header.resolution) {
    std::abort();
  }
  for (size_t i = 0; i < file.records.size(); ++i) {
    const auto& a = file.records[i];
    const auto& b = again.records[i];
    if (a.ts_sec != b.ts_sec || a.ts_frac != b.ts_frac || a.frame != b.frame) std::abort();
    if (record_time_ns(file.header, a) != record_time_ns(again.header, b)) std::abort();
  }
  return 0;
}
