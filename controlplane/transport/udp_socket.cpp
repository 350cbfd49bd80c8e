// A bound UDP socket (RAII over the file descriptor) and the IPv4/IPv6 address type it speaks.
#include "udp_socket.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace linkcrypt::transport {

std::optional<SocketAddress> SocketAddress::parse(const std::string& ip, uint16_t port) {
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  a.storage_ = {};
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.len_ = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr_storage& ss, socklen_t len) {
  SocketAddress a;
  a.storage_ = ss;
  a.len_ = len;
  return a;
}

SocketAddress SocketAddress::with_port(uint16_t port) const {
  SocketAddress a = *this;
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&a.storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_port = htons(port);
  return a;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

std::vector<uint8_t> SocketAddress::address_bytes() const {
  if (family() == AF_INET) {
    const auto* p = reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
    return {p, p + 4};
  }
  if (family() == AF_INET6) {
    const auto* p = reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
    return {p, p + 16};
  }
  return {};
}

std::string SocketAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  std::string out;
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
              sizeof text);
    out.append(text);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text,
              sizeof text);
    out.append("[").append(text).append("]");
  } else {
    return "?";
  }
  // Appending piecewise: GCC 12 -O3 misreports operator+ chains here (-Werror=restrict).
  out.append(":").append(std::to_string(port()));
  return out;
}

std::optional<UdpSocket> UdpSocket::bind_to(const SocketAddress& local, std::string& error) {
  int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  UdpSocket sock(fd);
  if (::bind(fd, local.sa(), local.len()) != 0) {
    error = "bind " + local.to_string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return sock;
}

bool UdpSocket::send_to(std::span<const uint8_t> bytes, const SocketAddress& to) const {
  ssize_t sent_len = ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, to.sa(), to.len());
  return sent_len == static_cast<ssize_t>(bytes.size());
}

std::optional<size_t> UdpSocket::receive(std::span<uint8_t> buf, SocketAddress& from) const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  // MSG_TRUNC: the datagram's real length, so the caller can count and drop an oversized one.
  ssize_t datagram_len = ::recvfrom(fd_.get(), buf.data(), buf.size(), MSG_TRUNC,
                                    reinterpret_cast<sockaddr*>(&ss), &len);
  if (datagram_len < 0) return std::nullopt;
  from = SocketAddress::from_sockaddr(ss, len);
  return static_cast<size_t>(datagram_len);
}

}  // namespace linkcrypt::transport
