// Classic libpcap capture files (not pcapng): record types, typed parse errors, reader and writer.
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
// libpcap's MAXIMUM_SNAPLEN: no real capture record is larger, so anything above is corruption.
inline constexpr uint32_t kMaxRecordLen = 262144;
inline constexpr size_t kFileHeaderLen = 24;
inline constexpr size_t kRecordHeaderLen = 16;

// Magic numbers as read big-endian from the first four octets of the file.
inline constexpr uint32_t kMagicMicro = 0xA1B2C3D4;
inline constexpr uint32_t kMagicNano = 0xA1B23C4D;
inline constexpr uint32_t kMagicPcapNg = 0x0A0D0D0A;  // pcapng Section Header Block type

enum class ByteOrder : uint8_t { Little, Big };
enum class TimeResolution : uint8_t { Micro, Nano };

// Why a file was refused. Every value has a message naming the fix (describe_pcap_error).
enum class PcapError : uint8_t {
  None,
  ShortFileHeader,     // fewer than 24 octets
  PcapNg,              // a pcapng file: convert with editcap -F pcap
  BadMagic,            // not a pcap file at all (or an exotic variant)
  BadVersion,          // version other than 2.x
  NotEthernet,         // link type other than LINKTYPE_ETHERNET (or FCS bits set)
  ShortRecordHeader,   // the file ends inside a record header
  ShortRecordData,     // the file ends inside a record's captured bytes
  PartialCapture,      // caplen < len: the frame was cut by the snap length
  CaplenOverLen,       // caplen > len: impossible, the file is corrupt
  RecordTooLarge,      // caplen above kMaxRecordLen
};

struct PcapHeader {
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

// Where parsing stopped, for the operator's message.
struct PcapParseError {
  PcapError reason = PcapError::None;
  size_t record_index = 0;  // meaningful for record-level reasons
  size_t offset = 0;        // file offset of the header or record that was refused
  uint32_t value = 0;       // the offending field (magic, link type, caplen) when there is one
};

// Parses a whole classic pcap file, either byte order, µs or ns timestamps; the input must be
// consumed exactly. On failure `out` is left partially filled and `err` says why and where.
[[nodiscard]] bool parse_pcap(std::span<const uint8_t> in, PcapFile& out, PcapParseError& err);

// Serialises in the header's byte order and resolution. The snap length written is raised to
// the largest record so readers (tshark) never see a record above it.
[[nodiscard]] std::vector<uint8_t> build_pcap(const PcapFile& file);

[[nodiscard]] std::string_view pcap_error_name(PcapError reason);
// One line for an operator: what is wrong and the command that fixes it.
[[nodiscard]] std::string describe_pcap_error(const PcapParseError& err);

}  // namespace linkcrypt::pcap
