// NAT detection (RFC 7296 2.23): the NAT_DETECTION notifies we send, the peer's we check, and the move to UDP 4500.
#pragma once

#include <cstdint>
#include <vector>

#include "ike_codec.h"
#include "ike_session.h"

namespace linkcrypt::ike {

class NatDetection {
 public:
  NatDetection(Endpoint local, Endpoint remote) : local_(std::move(local)), remote_(std::move(remote)) {}

  // Adds NAT_DETECTION_SOURCE_IP and _DESTINATION_IP for these SPIs (none in-band).
  void add_notifies(ChainBuilder& c, uint64_t spi_i, uint64_t spi_r) const;
  // Checks the peer's notifies; a NAT on the path moves us to UDP 4500 (FloatToNatPort, once).
  void check(const Payloads& p, uint64_t spi_i, uint64_t spi_r, Output& out);

  [[nodiscard]] bool on_nat_port() const { return nat_; }  // datagrams go to UDP 4500
  [[nodiscard]] bool local_behind() const { return nat_local_; }
  [[nodiscard]] bool remote_behind() const { return nat_remote_; }

 private:
  std::vector<uint8_t> hash(uint64_t spi_i, uint64_t spi_r, const Endpoint& ep) const;

  Endpoint local_, remote_;
  bool nat_ = false;
  bool nat_local_ = false;
  bool nat_remote_ = false;
  bool float_announced_ = false;
};

}  // namespace linkcrypt::ike
