// The framing every linkcrypt socketpair message shares (key holder, dataplane <-> keying): length, version, type, id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "byte_reader.h"
#include "byte_writer.h"

namespace linkcrypt::ipc {

// Frame: u32 length of what follows | u8 version | u8 type | u32 id | body. One frame per
// SOCK_SEQPACKET datagram, so the length must match the datagram exactly.
inline constexpr size_t kHeaderLen = 10;

// Writes the header (the length is patched by end_frame).
void begin_frame(ByteWriter& w, uint8_t version, uint8_t type, uint32_t id);
// Patches the length and hands over the bytes.
[[nodiscard]] std::vector<uint8_t> end_frame(ByteWriter& w);

// Checks size <= max_frame, the length field against the datagram and the version; leaves `r`
// at the body. False on any mismatch: the caller refuses the frame whole.
[[nodiscard]] bool read_frame_header(std::span<const uint8_t> frame, size_t max_frame, uint8_t version,
                                     ByteReader& r, uint8_t& type, uint32_t& id);

}  // namespace linkcrypt::ipc
