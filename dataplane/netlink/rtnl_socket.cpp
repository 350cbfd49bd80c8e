// RtnlSocket: libmnl socket setup, request/acknowledge exchanges, non-blocking notification drain.
#include "rtnl_socket.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace linkcrypt::netlink {

void MnlSocketClose::operator()(mnl_socket* s) const { (void)mnl_socket_close(s); }

std::unique_ptr<RtnlSocket> RtnlSocket::open(bool follow_links, std::string& err) {
  MnlSocketPtr s(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | (follow_links ? SOCK_NONBLOCK : 0)));
  if (!s) {
    err = std::string("rtnetlink socket: ") + std::strerror(errno);
    return nullptr;
  }
  if (mnl_socket_bind(s.get(), follow_links ? RTMGRP_LINK : 0, MNL_SOCKET_AUTOPID) < 0) {
    err = std::string("rtnetlink bind: ") + std::strerror(errno);
    return nullptr;
  }
  if (!follow_links) {
    // The kernel answers link requests at once; the timeout only guards against a lost reply.
    timeval tv{1, 0};
    (void)setsockopt(mnl_socket_get_fd(s.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  std::unique_ptr<RtnlSocket> out(new RtnlSocket(std::move(s)));
  out->portid_ = mnl_socket_get_portid(out->sock_.get());
  out->seq_ = static_cast<uint32_t>(time(nullptr));
  return out;
}

int RtnlSocket::fd() const { return mnl_socket_get_fd(sock_.get()); }

ssize_t RtnlSocket::receive(bool wait) {
  // Larger than MNL_SOCKET_BUFFER_SIZE (8 KiB): a link notification of a NIC with many VFs can
  // exceed it, and a truncated one is refused (the monitor then re-reads the links it follows).
  buf_.resize(kReceiveBufferLen);
  for (;;) {
    sockaddr_nl from{};
    iovec iov{buf_.data(), buf_.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = recvmsg(fd(), &msg, wait ? 0 : MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (!wait && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
      return -1;
    }
    // Only the kernel speaks for the kernel: anything else on this socket is ignored.
    if (msg.msg_namelen != sizeof from || from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC) != 0) {
      ++refused_;
      continue;
    }
    return n;
  }
}

bool RtnlSocket::request(std::span<const uint8_t> msg, uint32_t seq, std::vector<LinkInfo>* out, std::string& err) {
  if (mnl_socket_sendto(sock_.get(), msg.data(), msg.size()) < 0) {
    err = std::string("rtnetlink send: ") + std::strerror(errno);
    return false;
  }
  for (;;) {
    const ssize_t n = receive(true);
    if (n < 0) {
      err = std::string("rtnetlink receive: ") + std::strerror(errno);
      return false;
    }
    const ParsedDatagram d = parse_datagram(std::span<const uint8_t>(buf_.data(), static_cast<size_t>(n)), seq, portid_);
    if (d.error == ParseError::KernelError) {
      err = std::strerror(d.error_code);
      return false;
    }
    if (d.error != ParseError::None) {
      err = std::string("rtnetlink reply: ") + parse_error_name(d.error);
      return false;
    }
    if (out) out->insert(out->end(), d.links.begin(), d.links.end());
    if (d.done) return true;
  }
}

std::optional<LinkInfo> RtnlSocket::get_link(uint32_t if_index, std::string& err) {
  uint8_t buf[kRequestBufferLen];
  const uint32_t seq = ++seq_;
  const size_t len = build_getlink(buf, seq, if_index);
  std::vector<LinkInfo> links;
  if (!request(std::span<const uint8_t>(buf, len), seq, &links, err)) return std::nullopt;
  for (auto& l : links) {
    if (l.if_index == if_index) return std::move(l);
  }
  err = "no such interface in the reply";
  return std::nullopt;
}

bool RtnlSocket::set_link(uint32_t if_index, uint32_t mtu, bool bring_up, std::string& err) {
  uint8_t buf[kRequestBufferLen];
  const uint32_t seq = ++seq_;
  const size_t len = build_setlink(buf, seq, if_index, mtu, bring_up);
  return request(std::span<const uint8_t>(buf, len), seq, nullptr, err);
}

std::vector<LinkInfo> RtnlSocket::drain() {
  std::vector<LinkInfo> out;
  for (;;) {
    const ssize_t n = receive(false);
    if (n == 0) break;
    if (n < 0) {
      if (errno == ENOBUFS) {
        ++overflows_;  // notifications were lost: the caller re-reads what it follows
        continue;
      }
      break;
    }
    ParsedDatagram d = parse_datagram(std::span<const uint8_t>(buf_.data(), static_cast<size_t>(n)), 0, 0);
    if (d.error != ParseError::None) {
      ++refused_;
      continue;
    }
    for (auto& l : d.links) out.push_back(std::move(l));
  }
  return out;
}

}  // namespace linkcrypt::netlink
