// begin_frame / end_frame / read_frame_header (ipc_frame.h).
#include "ipc_frame.h"

namespace linkcrypt::ipc {

void begin_frame(ByteWriter& w, uint8_t version, uint8_t type, uint32_t id) {
  w.put_u32(0);  // patched with the length at the end
  w.put_u8(version);
  w.put_u8(type);
  w.put_u32(id);
}

std::vector<uint8_t> end_frame(ByteWriter& w) {
  w.patch_u32(0, static_cast<uint32_t>(w.size() - 4));
  return w.take();
}

bool read_frame_header(std::span<const uint8_t> frame, size_t max_frame, uint8_t version, ByteReader& r,
                       uint8_t& type, uint32_t& id) {
  if (frame.size() > max_frame) return false;
  r = ByteReader(frame);
  uint32_t len = 0;
  uint8_t v = 0;
  if (!r.read_u32(len) || len != r.remaining()) return false;
  return r.read_u8(v) && v == version && r.read_u8(type) && r.read_u32(id);
}

}  // namespace linkcrypt::ipc
