// seqpacket_pair, send_message, receive_message, send_fd / receive_fd, wipe (seqpacket.h).
#include "seqpacket.h"

#include <openssl/crypto.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace linkcrypt::ipc {

bool seqpacket_pair(UniqueFd& a, UniqueFd& b) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
  a.reset(sv[0]);
  b.reset(sv[1]);
  return true;
}

SendResult send_message(int fd, std::span<const uint8_t> bytes) {
  for (;;) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return SendResult::Sent;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return SendResult::WouldBlock;
    return SendResult::Closed;
  }
}

RecvResult receive_message(int fd, std::vector<uint8_t>& buf, size_t max_len) {
  buf.resize(max_len + 1);
  for (;;) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (n > 0) {
      // MSG_TRUNC: n is the datagram's real length; the parser refuses anything over max_len.
      buf.resize(std::min(static_cast<size_t>(n), max_len + 1));
      return RecvResult::Message;
    }
    if (n == 0) return RecvResult::Closed;  // SOCK_SEQPACKET: 0 is the peer's close
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      buf.clear();
      return RecvResult::Empty;
    }
    return RecvResult::Closed;
  }
}

bool send_fd(int sock, int fd) {
  uint8_t one = 1;
  iovec iov{&one, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(sock, &m, MSG_NOSIGNAL) == 1;
}

int receive_fd(int sock) {
  uint8_t one = 0;
  iovec iov{&one, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  const ssize_t n = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
  if (n == 0) return -2;
  int fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    }
  }
  if (one != 1 || (m.msg_flags & MSG_CTRUNC) != 0) {
    if (fd >= 0) close(fd);
    return -1;  // not the supervisor's message format: ignored
  }
  return fd;
}

void wipe(std::vector<uint8_t>& buf) {
  if (!buf.empty()) OPENSSL_cleanse(buf.data(), buf.size());
}

}  // namespace linkcrypt::ipc
