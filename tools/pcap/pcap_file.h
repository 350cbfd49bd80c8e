// Capture files: read (pcap or pcapng) through libpcap, written as classic pcap; records and typed refusals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::pcap {

// LINKTYPE_ETHERNET (tcpdump.org link-layer header types): the only one a MACsec tool can use,
// because 802.1AE protects what follows the MAC addresses of an Ethernet frame.
inline constexpr uint32_t kLinkTypeEthernet = 1;
// libpcap's MAXIMUM_SNAPLEN: no real capture record is larger (libpcap refuses larger ones).
inline constexpr uint32_t kMaxRecordLen = 262144;
inline constexpr size_t kFileHeaderLen = 24;
inline constexpr size_t kRecordHeaderLen = 16;

// Classic pcap magic numbers as read big-endian from the first four octets of the file.
inline constexpr uint32_t kMagicMicro = 0xA1B2C3D4;
inline constexpr uint32_t kMagicNano = 0xA1B23C4D;

enum class ByteOrder : uint8_t { Little, Big };
enum class TimeResolution : uint8_t { Micro, Nano };
enum class FileFormat : uint8_t { Pcap, PcapNg };

// Why a file was refused. Every value has a message naming the fix (describe_pcap_error).
enum class PcapError : uint8_t {
  None,
  NotCapture,       // libpcap cannot open it: empty, not pcap/pcapng, unknown version, cut header
  NotEthernet,      // link type other than LINKTYPE_ETHERNET (or FCS bits announced)
  ReadFailed,       // libpcap stopped inside the file: a record cut short, a corrupt block
  PartialCapture,   // caplen < len: the frame was cut by the snap length
  CaplenOverLen,    // caplen > len: impossible, the file is corrupt
};

struct PcapHeader {
  FileFormat format = FileFormat::Pcap;  // what was read; the writer always writes classic pcap
  ByteOrder byte_order = ByteOrder::Little;
  TimeResolution resolution = TimeResolution::Micro;
  uint16_t version_major = 2;
  uint16_t version_minor = 4;
  uint32_t snap_len = 65535;
  uint32_t link_type = kLinkTypeEthernet;
};

struct PcapRecord {
  uint32_t ts_sec = 0;
  uint32_t ts_frac = 0;  // microseconds or nanoseconds, as PcapHeader::resolution says
  std::vector<uint8_t> frame;  // the whole frame: caplen == len is enforced on read
};

struct PcapFile {
  PcapHeader header;
  std::vector<PcapRecord> records;
};

// Where reading stopped, for the operator's message.
struct PcapParseError {
  PcapError reason = PcapError::None;
  size_t record_index = 0;  // meaningful for record-level reasons (0-based)
  uint32_t value = 0;       // the offending field (link type, len) when there is one
  std::string detail;       // libpcap's own words for NotCapture / ReadFailed
};

// Reads a whole capture with libpcap (pcap_fopen_offline over the bytes): classic pcap in either
// byte order with µs or ns timestamps, or pcapng (Wireshark's default) whose interfaces are all
// Ethernet. Timestamps are kept exactly: ns for ns-pcap and pcapng, µs for µs-pcap. On failure
// `out` is left partially filled and `err` says why and where.
[[nodiscard]] bool parse_pcap(std::span<const uint8_t> in, PcapFile& out, PcapParseError& err);

// Serialises classic pcap in the header's byte order and resolution (pcapng input is written as
// pcap 2.4). The snap length written is raised to the largest record so readers (tshark) never
// see a record above it.
[[nodiscard]] std::vector<uint8_t> build_pcap(const PcapFile& file);

// A record's timestamp in nanoseconds since the epoch (the keylog's install times compare to it).
[[nodiscard]] int64_t record_time_ns(const PcapHeader& h, const PcapRecord& r);

[[nodiscard]] std::string_view pcap_error_name(PcapError reason);
// One line for an operator: what is wrong and the command that fixes it.
[[nodiscard]] std::string describe_pcap_error(const PcapParseError& err);

}  // namespace linkcrypt::pcap
