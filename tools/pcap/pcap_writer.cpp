// Writes classic libpcap files in the byte order and timestamp resolution the header asks for.
#include <algorithm>

#include "byte_writer.h"
#include "pcap_file.h"

namespace linkcrypt::pcap {
namespace {

void put_u16(ByteWriter& w, ByteOrder order, uint16_t v) {
  order == ByteOrder::Big ? w.put_u16(v) : w.put_u16_le(v);
}
void put_u32(ByteWriter& w, ByteOrder order, uint32_t v) {
  order == ByteOrder::Big ? w.put_u32(v) : w.put_u32_le(v);
}

}  // namespace

std::vector<uint8_t> build_pcap(const PcapFile& file) {
  const PcapHeader& h = file.header;
  uint32_t snap_len = h.snap_len;
  size_t total_len = kFileHeaderLen;
  for (const auto& rec : file.records) {
    snap_len = std::max(snap_len, static_cast<uint32_t>(rec.frame.size()));
    total_len += kRecordHeaderLen + rec.frame.size();
  }

  ByteWriter w;
  w.bytes().reserve(total_len);
  put_u32(w, h.byte_order, h.resolution == TimeResolution::Nano ? kMagicNano : kMagicMicro);
  put_u16(w, h.byte_order, h.version_major);
  put_u16(w, h.byte_order, h.version_minor);
  put_u32(w, h.byte_order, 0);  // thiszone: always 0 (UTC)
  put_u32(w, h.byte_order, 0);  // sigfigs: always 0
  put_u32(w, h.byte_order, snap_len);
  put_u32(w, h.byte_order, h.link_type);
  for (const auto& rec : file.records) {
    const auto len = static_cast<uint32_t>(rec.frame.size());
    put_u32(w, h.byte_order, rec.ts_sec);
    put_u32(w, h.byte_order, rec.ts_frac);
    put_u32(w, h.byte_order, len);  // caplen == len: we only ever write whole frames
    put_u32(w, h.byte_order, len);
    w.put_bytes(rec.frame);
  }
  return w.take();
}

}  // namespace linkcrypt::pcap
