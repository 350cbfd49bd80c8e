// A bound UDP socket (RAII over the file descriptor) and the IPv4/IPv6 address type it speaks.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace linkcrypt::transport {

// An IP address and UDP port, kept as sockaddr_storage for the socket calls.
class SocketAddress {
 public:
  SocketAddress() = default;
  // Parses a numeric IPv4 or IPv6 address; nullopt if it is neither.
  [[nodiscard]] static std::optional<SocketAddress> parse(const std::string& ip, uint16_t port);
  [[nodiscard]] static SocketAddress from_sockaddr(const sockaddr_storage& ss, socklen_t len);

  [[nodiscard]] SocketAddress with_port(uint16_t port) const;
  [[nodiscard]] uint16_t port() const;
  [[nodiscard]] std::vector<uint8_t> address_bytes() const;  // 4 or 16 octets, network order
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] int family() const { return storage_.ss_family; }
  [[nodiscard]] const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  [[nodiscard]] socklen_t len() const { return len_; }

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

class UdpSocket {
 public:
  // Binds to `local`; on failure returns nullopt and says why in `error`.
  [[nodiscard]] static std::optional<UdpSocket> bind_to(const SocketAddress& local,
                                                        std::string& error);
  ~UdpSocket() = default;
  UdpSocket(UdpSocket&&) noexcept = default;
  UdpSocket& operator=(UdpSocket&&) noexcept = default;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] bool send_to(std::span<const uint8_t> bytes, const SocketAddress& to) const;
  // One datagram into `buf`; returns its full length (larger than buf.size() if it was
  // truncated), or nullopt when nothing is ready.
  [[nodiscard]] std::optional<size_t> receive(std::span<uint8_t> buf, SocketAddress& from) const;

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

}  // namespace linkcrypt::transport
