// The UDP transport: IKE on port 500, then 4500 with the non-ESP marker (RFC 7296 2.23).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport.h"
#include "udp_socket.h"

namespace linkcrypt::transport {

struct UdpCounters {
  uint64_t rx_datagrams = 0;
  uint64_t rx_foreign_source = 0;  // not from the configured peer address: dropped
  uint64_t rx_esp_dropped = 0;     // ESP on 4500: we carry no ESP
  uint64_t rx_keepalives = 0;      // RFC 3948 2.3
  uint64_t rx_bad_frame = 0;       // shorter than the non-ESP marker, or marker only
  uint64_t rx_oversize = 0;
  uint64_t tx_datagrams = 0;
  uint64_t tx_failed = 0;
};

class UdpTransport final : public Transport {
 public:
  // Binds local:port and local:nat_port. nullptr with `error` set when either bind fails.
  static std::unique_ptr<UdpTransport> open(const SocketAddress& local, const SocketAddress& peer,
                                            uint16_t port, uint16_t nat_port, std::string& error);

  void send(const ike::Datagram& d) override;
  size_t receive(std::vector<InboundMessage>& out, size_t max) override;
  [[nodiscard]] ike::Endpoint local_endpoint() const override;
  [[nodiscard]] ike::Endpoint peer_endpoint() const override;
  [[nodiscard]] int poll_fd() const override { return sock_.fd(); }
  [[nodiscard]] int nat_poll_fd() const { return nat_sock_.fd(); }
  [[nodiscard]] std::string_view name() const override { return "udp"; }
  [[nodiscard]] CounterList counters() const override;

 private:
  UdpTransport(UdpSocket sock, UdpSocket nat_sock, SocketAddress local, SocketAddress peer,
               uint16_t nat_port);
  void drain(const UdpSocket& s, bool nat, std::vector<InboundMessage>& out, size_t max, size_t& n);

  UdpSocket sock_;
  UdpSocket nat_sock_;
  SocketAddress local_;
  SocketAddress peer_;      // UDP 500
  SocketAddress peer_nat_;  // UDP 4500: the source of the last message received there
  std::vector<uint8_t> buf_;
  UdpCounters counters_;
};

}  // namespace linkcrypt::transport
