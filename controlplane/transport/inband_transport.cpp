// The in-band transport: frames every IKE message for the wire port and unframes punted ones.
#include "inband_transport.h"

namespace linkcrypt::transport {

void InbandTransport::send(const ike::Datagram& d) {
  // No NAT on a link: to_nat_port never happens in-band (no NAT_DETECTION addresses differ).
  const auto frame = build_kx_frame(port_.mac(), ethertype_, d.bytes);
  if (port_.send_frame(frame)) {
    ++counters_.tx_frames;
  } else {
    ++counters_.tx_failed;
  }
}

size_t InbandTransport::receive(std::vector<InboundMessage>& out, size_t max) {
  frames_.clear();
  port_.receive_frames(frames_, max);
  size_t n = 0;
  for (const auto& f : frames_) {
    ++counters_.rx_frames;
    KxFrameDrop why{};
    const auto ike = parse_kx_frame(f, ethertype_, why);
    if (!ike) {
      switch (why) {
        case KxFrameDrop::TooShort: ++counters_.rx_too_short; break;
        case KxFrameDrop::WrongEtherType: ++counters_.rx_wrong_ethertype; break;
        case KxFrameDrop::BadLength: ++counters_.rx_bad_length; break;
      }
      continue;
    }
    // The sender is its source MAC: the responder binds its COOKIE to it (RFC 7296 2.6 hashes
    // the initiator's address). Port 0; in-band has no local address, so no NAT detection.
    ike::Endpoint from;
    from.address.assign(f.begin() + 6, f.begin() + 12);
    from.port = 0;
    out.push_back(InboundMessage{{ike->begin(), ike->end()}, std::move(from)});
    ++n;
  }
  return n;
}

CounterList InbandTransport::counters() const {
  return {{"rx_frames", counters_.rx_frames},
          {"rx_too_short", counters_.rx_too_short},
          {"rx_wrong_ethertype", counters_.rx_wrong_ethertype},
          {"rx_bad_length", counters_.rx_bad_length},
          {"tx_frames", counters_.tx_frames},
          {"tx_failed", counters_.tx_failed}};
}

}  // namespace linkcrypt::transport
