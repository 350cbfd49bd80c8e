// The UDP transport: two bound sockets, peer-address filtering, non-ESP marker on 4500.
#include "udp_transport.h"

#include "nat_framing.h"

namespace linkcrypt::transport {
namespace {
constexpr size_t kMaxDatagramLen = 65535;

bool same_address(const SocketAddress& a, const SocketAddress& b) {
  return a.address_bytes() == b.address_bytes();
}
}  // namespace

std::unique_ptr<UdpTransport> UdpTransport::open(const SocketAddress& local,
                                                 const SocketAddress& peer, uint16_t port,
                                                 uint16_t nat_port, std::string& error) {
  auto s = UdpSocket::bind_to(local.with_port(port), error);
  if (!s) return nullptr;
  auto n = UdpSocket::bind_to(local.with_port(nat_port), error);
  if (!n) return nullptr;
  return std::unique_ptr<UdpTransport>(new UdpTransport(std::move(*s), std::move(*n),
                                                        local.with_port(port),
                                                        peer.with_port(port), nat_port));
}

UdpTransport::UdpTransport(UdpSocket sock, UdpSocket nat_sock, SocketAddress local,
                           SocketAddress peer, uint16_t nat_port)
    : sock_(std::move(sock)),
      nat_sock_(std::move(nat_sock)),
      local_(local),
      peer_(peer),
      peer_nat_(peer.with_port(nat_port)),
      buf_(kMaxDatagramLen) {}

void UdpTransport::send(const ike::Datagram& d) {
  const bool ok = d.to_nat_port ? nat_sock_.send_to(build_nat_frame(d.bytes), peer_nat_)
                                : sock_.send_to(d.bytes, peer_);
  if (ok) {
    ++counters_.tx_datagrams;
  } else {
    ++counters_.tx_failed;
  }
}

void UdpTransport::drain(const UdpSocket& s, bool nat, std::vector<InboundMessage>& out,
                         size_t max, size_t& n) {
  while (n < max) {
    SocketAddress from;
    const auto len = s.receive(buf_, from);
    if (!len) return;
    ++counters_.rx_datagrams;
    if (*len > buf_.size()) {
      ++counters_.rx_oversize;
      continue;
    }
    // One peer per daemon (bump in the wire): anything else is not ours to answer.
    if (!same_address(from, peer_)) {
      ++counters_.rx_foreign_source;
      continue;
    }
    std::span<const uint8_t> msg(buf_.data(), *len);
    if (nat) {
      const NatFrame f = parse_nat_frame(msg);
      if (f.kind == NatFrameKind::Esp) { ++counters_.rx_esp_dropped; continue; }
      if (f.kind == NatFrameKind::Keepalive) { ++counters_.rx_keepalives; continue; }
      if (f.kind == NatFrameKind::Malformed) { ++counters_.rx_bad_frame; continue; }
      msg = f.ike;
      peer_nat_ = from;  // RFC 7296 2.23: answer where the last message came from
    }
    ike::Endpoint ep{from.address_bytes(), from.port()};
    out.push_back(InboundMessage{{msg.begin(), msg.end()}, std::move(ep)});
    ++n;
  }
}

size_t UdpTransport::receive(std::vector<InboundMessage>& out, size_t max) {
  size_t n = 0;
  drain(sock_, false, out, max, n);
  drain(nat_sock_, true, out, max, n);
  return n;
}

ike::Endpoint UdpTransport::local_endpoint() const { return {local_.address_bytes(), local_.port()}; }
ike::Endpoint UdpTransport::peer_endpoint() const { return {peer_.address_bytes(), peer_.port()}; }

CounterList UdpTransport::counters() const {
  return {{"rx_datagrams", counters_.rx_datagrams},
          {"rx_foreign_source", counters_.rx_foreign_source},
          {"rx_esp_dropped", counters_.rx_esp_dropped},
          {"rx_keepalives", counters_.rx_keepalives},
          {"rx_bad_frame", counters_.rx_bad_frame},
          {"rx_oversize", counters_.rx_oversize},
          {"tx_datagrams", counters_.tx_datagrams},
          {"tx_failed", counters_.tx_failed}};
}

}  // namespace linkcrypt::transport
