// NAT detection: SHA-1 of SPIs, address and port in each direction (RFC 7296 2.23).
#include "ike_nat.h"

#include "ike_crypto.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

std::vector<uint8_t> NatDetection::hash(uint64_t spi_i, uint64_t spi_r, const Endpoint& ep) const {
  // RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port).
  const auto si = spi_bytes(spi_i);
  const auto sr = spi_bytes(spi_r);
  const auto port = u16_bytes(ep.port);
  return sha1({si, sr, ep.address, port});
}

void NatDetection::add_notifies(ChainBuilder& c, uint64_t spi_i, uint64_t spi_r) const {
  // In-band transport has no IP addresses: no NAT can exist, so no NAT_DETECTION payloads.
  if (local_.address.empty() || remote_.address.empty()) return;
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NatDetectionSourceIp, hash(spi_i, spi_r, local_)));
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NatDetectionDestinationIp, hash(spi_i, spi_r, remote_)));
}

void NatDetection::check(const Payloads& p, uint64_t spi_i, uint64_t spi_r, Output& out) {
  if (local_.address.empty() || remote_.address.empty()) return;
  bool saw_src = false, saw_dst = false, src_match = false, dst_match = false;
  const auto want_src = hash(spi_i, spi_r, remote_);
  const auto want_dst = hash(spi_i, spi_r, local_);
  for (const auto& n : p.notifies) {
    if (n.type == static_cast<uint16_t>(NotifyType::NatDetectionSourceIp)) {
      saw_src = true;
      src_match |= n.data == want_src;
    } else if (n.type == static_cast<uint16_t>(NotifyType::NatDetectionDestinationIp)) {
      saw_dst = true;
      dst_match |= n.data == want_dst;
    }
  }
  if (!saw_src || !saw_dst) return;  // peer does not do NAT-T
  nat_remote_ = !src_match;
  nat_local_ = !dst_match;
  // RFC 7296 2.23: with a NAT on the path, move to UDP 4500 (non-ESP marker) from IKE_AUTH on.
  if ((nat_local_ || nat_remote_) && !float_announced_) {
    nat_ = true;
    float_announced_ = true;
    out.events.emplace_back(FloatToNatPort{});
  }
}

}  // namespace linkcrypt::ike
