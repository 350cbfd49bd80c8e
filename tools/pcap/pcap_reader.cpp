// Reads capture files through libpcap (pcap and pcapng alike) from memory; checks what a MACsec tool needs.
#include <pcap/pcap.h>

#include <bit>
#include <cstdio>
#include <memory>

#include "pcap_file.h"

namespace linkcrypt::pcap {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

bool fail(PcapParseError& err, PcapError reason, std::string detail = {}, uint32_t value = 0,
          size_t record_index = 0) {
  err = PcapParseError{reason, record_index, value, std::move(detail)};
  return false;
}

uint32_t be32(std::span<const uint8_t> b) {
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

// libpcap hands every file's timestamps over in the precision asked for (ns here) and does not
// say what the file held; the magic does, for classic pcap (only the ns magic means ns; the
// others, including Kuznetsov's "modified" pcap, are µs). pcapng is kept in ns (if_tsresol may
// be finer than µs).
TimeResolution native_resolution(std::span<const uint8_t> in) {
  const uint32_t magic = be32(in);
  return magic == kMagicNano || __builtin_bswap32(magic) == kMagicNano ? TimeResolution::Nano : TimeResolution::Micro;
}

// The bytes stay ours: libpcap reads them through a read-only memory FILE.
PcapHandle open_memory(std::span<const uint8_t> in, PcapParseError& err) {
  // fmemopen refuses a zero-length buffer on some libc versions, and an empty file is no capture.
  if (in.size() < 4) {
    fail(err, PcapError::NotCapture, in.empty() ? "the file is empty" : "the file is shorter than any capture header");
    return nullptr;
  }
  FileHandle f(fmemopen(const_cast<uint8_t*>(in.data()), in.size(), "rb"));
  if (!f) {
    fail(err, PcapError::NotCapture, "cannot read the bytes (fmemopen failed)");
    return nullptr;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  PcapHandle p(pcap_fopen_offline_with_tstamp_precision(f.get(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
  if (!p) {
    fail(err, PcapError::NotCapture, errbuf);
    return nullptr;  // on failure libpcap leaves the FILE to us: f closes it
  }
  (void)f.release();  // pcap_close closes it from now on
  return p;
}

}  // namespace

bool parse_pcap(std::span<const uint8_t> in, PcapFile& out, PcapParseError& err) {
  out.records.clear();
  PcapHandle p = open_memory(in, err);
  if (!p) return false;

  PcapHeader& h = out.header;
  const bool pcapng = pcap_major_version(p.get()) != 2;
  h.format = pcapng ? FileFormat::PcapNg : FileFormat::Pcap;
  const bool host_little = std::endian::native == std::endian::little;
  const bool swapped = pcap_is_swapped(p.get()) == 1;
  h.byte_order = (host_little != swapped) ? ByteOrder::Little : ByteOrder::Big;
  h.resolution = pcapng ? TimeResolution::Nano : native_resolution(in);
  h.version_major = pcapng ? 2 : static_cast<uint16_t>(pcap_major_version(p.get()));
  h.version_minor = pcapng ? 4 : static_cast<uint16_t>(pcap_minor_version(p.get()));
  h.snap_len = static_cast<uint32_t>(pcap_snapshot(p.get()));

  // The upper bits of the link type can announce FCS octets at the end of each frame
  // (LT_FCS_DATALINK_EXT); we would protect the FCS as payload, so such files are refused along
  // with every non-Ethernet link type.
  const int dlt = pcap_datalink(p.get());
  const int ext = pcap_datalink_ext(p.get());
  if (dlt != DLT_EN10MB || ext != 0) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return fail(err, PcapError::NotEthernet, name ? name : "unknown",
                static_cast<uint32_t>(dlt) | static_cast<uint32_t>(ext));
  }
  h.link_type = kLinkTypeEthernet;

  for (size_t index = 0;; ++index) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(p.get(), &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) return fail(err, PcapError::ReadFailed, pcap_geterr(p.get()), 0, index);
    // pcapng: a later interface may have another link type; libpcap refuses mixed ones itself.
    if (hdr->caplen > hdr->len) return fail(err, PcapError::CaplenOverLen, {}, hdr->caplen, index);
    // A frame cut by the snap length cannot be protected (the ICV covers all of it) nor
    // validated (the ICV is the part that was cut), so partial captures are refused outright.
    if (hdr->caplen < hdr->len) return fail(err, PcapError::PartialCapture, {}, hdr->len, index);
    PcapRecord rec;
    rec.ts_sec = static_cast<uint32_t>(hdr->ts.tv_sec);
    const auto ns = static_cast<uint32_t>(hdr->ts.tv_usec);  // ns: opened with ns precision
    rec.ts_frac = h.resolution == TimeResolution::Nano ? ns : ns / 1000;
    rec.frame.assign(data, data + hdr->caplen);
    out.records.push_back(std::move(rec));
  }
  err = PcapParseError{};
  return true;
}

int64_t record_time_ns(const PcapHeader& h, const PcapRecord& r) {
  const int64_t frac_ns = h.resolution == TimeResolution::Nano ? r.ts_frac : int64_t{r.ts_frac} * 1000;
  return int64_t{r.ts_sec} * 1000000000 + frac_ns;
}

std::string_view pcap_error_name(PcapError reason) {
  switch (reason) {
    case PcapError::None: return "none";
    case PcapError::NotCapture: return "not-capture";
    case PcapError::NotEthernet: return "not-ethernet";
    case PcapError::ReadFailed: return "read-failed";
    case PcapError::PartialCapture: return "partial-capture";
    case PcapError::CaplenOverLen: return "caplen-over-len";
  }
  return "unknown";
}

std::string describe_pcap_error(const PcapParseError& err) {
  // Records are numbered from 1 here, as Wireshark numbers frames.
  const std::string at = "frame " + std::to_string(err.record_index + 1) + ": ";
  const std::string v = std::to_string(err.value);
  switch (err.reason) {
    case PcapError::None:
      return "no error";
    case PcapError::NotCapture:
      return "not a pcap or pcapng capture (libpcap: " + err.detail +
             "); if Wireshark opens it, convert it with `editcap -F pcap IN OUT.pcap`";
    case PcapError::NotEthernet:
      return "link type " + err.detail + " (" + v +
             ") is not Ethernet (LINKTYPE_ETHERNET = 1, no FCS); capture on the Ethernet interface "
             "itself (`tcpdump -i eth0`, not `-i any`)";
    case PcapError::ReadFailed:
      return at + "the file is cut or corrupt there (libpcap: " + err.detail +
             "); keep the complete records with `editcap IN OUT.pcap`";
    case PcapError::PartialCapture:
      return at + "the frame of " + v +
             " octets was truncated by the snap length; capture whole frames (`tcpdump -s 0`)";
    case PcapError::CaplenOverLen:
      return at + "captured length " + v + " exceeds the frame length; the file is corrupt";
  }
  return "unknown error";
}

}  // namespace linkcrypt::pcap
