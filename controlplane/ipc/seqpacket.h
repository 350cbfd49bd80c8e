// SOCK_SEQPACKET socketpairs between linkcrypt's processes: one datagram per message, never blocking, and passing a socket end to a running child.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "unique_fd.h"

namespace linkcrypt::ipc {

// A SOCK_SEQPACKET pair, both ends close-on-exec. False (errno set) on failure.
[[nodiscard]] bool seqpacket_pair(UniqueFd& a, UniqueFd& b);

enum class SendResult : uint8_t { Sent, WouldBlock, Closed };
// One message, MSG_DONTWAIT | MSG_NOSIGNAL: a full peer never stalls the caller's loop.
SendResult send_message(int fd, std::span<const uint8_t> bytes);

enum class RecvResult : uint8_t { Message, Empty, Closed };
// One message into `buf` (resized to it), MSG_DONTWAIT. A datagram longer than max_len is
// truncated (MSG_TRUNC): it comes back as Message with buf.size() > max_len, so the parser refuses it.
RecvResult receive_message(int fd, std::vector<uint8_t>& buf, size_t max_len);

// The supervisor hands the dataplane a new socket end of a restarted keying process: one
// message with one byte and the descriptor (SCM_RIGHTS). receive_fd returns -1 when nothing is
// waiting, -2 when the sender is gone, else the new descriptor (close-on-exec).
[[nodiscard]] bool send_fd(int sock, int fd);
[[nodiscard]] int receive_fd(int sock);

// Overwrites the octets (OPENSSL_cleanse) before the buffer is reused or freed: a message
// that carried a SAK leaves no copy behind.
void wipe(std::vector<uint8_t>& buf);

}  // namespace linkcrypt::ipc
