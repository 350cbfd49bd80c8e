// Parses classic libpcap files through ByteReader: every length is checked, nothing is trusted.
#include "pcap_file.h"

#include <cstdio>

#include "byte_reader.h"

namespace linkcrypt::pcap {
namespace {

bool read_u16(ByteReader& r, ByteOrder order, uint16_t& out) {
  return order == ByteOrder::Big ? r.read_u16(out) : r.read_u16_le(out);
}
bool read_u32(ByteReader& r, ByteOrder order, uint32_t& out) {
  return order == ByteOrder::Big ? r.read_u32(out) : r.read_u32_le(out);
}

constexpr uint32_t byte_swap(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

bool fail(PcapParseError& err, PcapError reason, size_t offset, uint32_t value = 0,
          size_t record_index = 0) {
  err = PcapParseError{reason, record_index, offset, value};
  return false;
}

// The magic number tells both the writer's byte order and the timestamp resolution.
bool parse_file_header(ByteReader& r, PcapHeader& h, PcapParseError& err) {
  if (r.remaining() < kFileHeaderLen) return fail(err, PcapError::ShortFileHeader, 0);
  uint32_t magic = 0;
  if (!r.read_u32(magic)) return fail(err, PcapError::ShortFileHeader, 0);
  if (magic == kMagicMicro || magic == kMagicNano) {
    h.byte_order = ByteOrder::Big;
  } else if (byte_swap(magic) == kMagicMicro || byte_swap(magic) == kMagicNano) {
    h.byte_order = ByteOrder::Little;
    magic = byte_swap(magic);
  } else if (magic == kMagicPcapNg) {
    return fail(err, PcapError::PcapNg, 0, magic);
  } else {
    return fail(err, PcapError::BadMagic, 0, magic);
  }
  h.resolution = magic == kMagicNano ? TimeResolution::Nano : TimeResolution::Micro;

  uint32_t this_zone = 0, sig_figs = 0, network = 0;
  if (!read_u16(r, h.byte_order, h.version_major) || !read_u16(r, h.byte_order, h.version_minor) ||
      !read_u32(r, h.byte_order, this_zone) || !read_u32(r, h.byte_order, sig_figs) ||
      !read_u32(r, h.byte_order, h.snap_len) || !read_u32(r, h.byte_order, network)) {
    return fail(err, PcapError::ShortFileHeader, 0);
  }
  // Version 2.4 is current; 2.2/2.3 differ only in details we do not use. 1.x is prehistoric.
  if (h.version_major != 2) return fail(err, PcapError::BadVersion, 4, h.version_major);
  // The upper bits of the link-type field can announce FCS octets at the end of each frame
  // (draft-ietf-opsawg-pcap "LinkType and additional information"); we would protect the FCS
  // as payload, so such files are refused along with every non-Ethernet link type.
  if (network != kLinkTypeEthernet) return fail(err, PcapError::NotEthernet, 20, network);
  h.link_type = network;
  return true;
}

}  // namespace

bool parse_pcap(std::span<const uint8_t> in, PcapFile& out, PcapParseError& err) {
  ByteReader r(in);
  out.records.clear();
  if (!parse_file_header(r, out.header, err)) return false;

  const ByteOrder order = out.header.byte_order;
  for (size_t index = 0; !r.empty(); ++index) {
    const size_t offset = in.size() - r.remaining();
    if (r.remaining() < kRecordHeaderLen) {
      return fail(err, PcapError::ShortRecordHeader, offset, 0, index);
    }
    PcapRecord rec;
    uint32_t cap_len = 0, orig_len = 0;
    if (!read_u32(r, order, rec.ts_sec) || !read_u32(r, order, rec.ts_frac) ||
        !read_u32(r, order, cap_len) || !read_u32(r, order, orig_len)) {
      return fail(err, PcapError::ShortRecordHeader, offset, 0, index);
    }
    if (cap_len > kMaxRecordLen) return fail(err, PcapError::RecordTooLarge, offset, cap_len, index);
    if (cap_len > orig_len) return fail(err, PcapError::CaplenOverLen, offset, cap_len, index);
    // A frame cut by the snap length cannot be protected (the ICV covers all of it) nor
    // validated (the ICV is the part that was cut), so partial captures are refused outright.
    if (cap_len < orig_len) return fail(err, PcapError::PartialCapture, offset, orig_len, index);
    std::span<const uint8_t> bytes;
    if (!r.read_bytes(cap_len, bytes)) {
      return fail(err, PcapError::ShortRecordData, offset, cap_len, index);
    }
    rec.frame.assign(bytes.begin(), bytes.end());
    out.records.push_back(std::move(rec));
  }
  err = PcapParseError{};
  return true;
}

std::string_view pcap_error_name(PcapError reason) {
  switch (reason) {
    case PcapError::None: return "none";
    case PcapError::ShortFileHeader: return "short-file-header";
    case PcapError::PcapNg: return "pcapng";
    case PcapError::BadMagic: return "bad-magic";
    case PcapError::BadVersion: return "bad-version";
    case PcapError::NotEthernet: return "not-ethernet";
    case PcapError::ShortRecordHeader: return "short-record-header";
    case PcapError::ShortRecordData: return "short-record-data";
    case PcapError::PartialCapture: return "partial-capture";
    case PcapError::CaplenOverLen: return "caplen-over-len";
    case PcapError::RecordTooLarge: return "record-too-large";
  }
  return "unknown";
}

std::string describe_pcap_error(const PcapParseError& err) {
  char buf[320];
  const auto idx = err.record_index;
  const auto off = err.offset;
  const auto v = static_cast<unsigned long>(err.value);
  switch (err.reason) {
    case PcapError::None:
      std::snprintf(buf, sizeof buf, "no error");
      break;
    case PcapError::ShortFileHeader:
      std::snprintf(buf, sizeof buf,
                    "file is shorter than the 24-octet pcap file header: not a capture file");
      break;
    case PcapError::PcapNg:
      std::snprintf(buf, sizeof buf,
                    "this is a pcapng file; only classic pcap is read: convert it with "
                    "`editcap -F pcap IN.pcapng OUT.pcap`");
      break;
    case PcapError::BadMagic:
      std::snprintf(buf, sizeof buf,
                    "not a classic pcap file (magic 0x%08lX); if Wireshark opens it, convert it "
                    "with `editcap -F pcap IN OUT.pcap`",
                    v);
      break;
    case PcapError::BadVersion:
      std::snprintf(buf, sizeof buf,
                    "pcap version %lu.x is not supported (2.x is); rewrite it with "
                    "`editcap -F pcap IN OUT.pcap`",
                    v);
      break;
    case PcapError::NotEthernet:
      std::snprintf(buf, sizeof buf,
                    "link type %lu is not Ethernet (LINKTYPE_ETHERNET = 1, no FCS); capture on "
                    "the Ethernet interface itself (`tcpdump -i eth0`, not `-i any`)",
                    v);
      break;
    case PcapError::ShortRecordHeader:
      std::snprintf(buf, sizeof buf,
                    "record %zu at offset %zu: file ends inside the record header (cut-off "
                    "capture?); keep the complete records with `editcap IN OUT.pcap`",
                    idx, off);
      break;
    case PcapError::ShortRecordData:
      std::snprintf(buf, sizeof buf,
                    "record %zu at offset %zu: file ends inside the frame (%lu octets announced); "
                    "keep the complete records with `editcap IN OUT.pcap`",
                    idx, off, v);
      break;
    case PcapError::PartialCapture:
      std::snprintf(buf, sizeof buf,
                    "record %zu at offset %zu: frame of %lu octets was truncated by the snap "
                    "length; capture whole frames (`tcpdump -s 0`)",
                    idx, off, v);
      break;
    case PcapError::CaplenOverLen:
      std::snprintf(buf, sizeof buf,
                    "record %zu at offset %zu: captured length %lu exceeds the frame length; "
                    "the file is corrupt",
                    idx, off, v);
      break;
    case PcapError::RecordTooLarge:
      std::snprintf(buf, sizeof buf,
                    "record %zu at offset %zu: captured length %lu exceeds %lu octets; the file "
                    "is corrupt",
                    idx, off, v, static_cast<unsigned long>(kMaxRecordLen));
      break;
  }
  return buf;
}

}  // namespace linkcrypt::pcap
