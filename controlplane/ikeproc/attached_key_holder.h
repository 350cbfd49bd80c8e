// The IKE process's long-term key: requests over a key-holder socket the supervisor set up (no spawning, no supervision here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "long_term_key.h"
#include "unique_fd.h"

namespace linkcrypt::ikeproc {

// In process-model = split the supervisor starts linkcrypt-keyholder and gives the IKE process
// its socket (fd 4). Requests use the key holder's own frames (keyholder_wire.h), wait at most
// timeout_ms, and fail with KeyError::Unavailable when it is silent or gone; the supervisor then
// restarts the IKE process together with a new key holder (docs/architecture-daemon.md).
class AttachedKeyHolder final : public ike::LongTermKey {
 public:
  AttachedKeyHolder(UniqueFd sock, int timeout_ms) : sock_(std::move(sock)), timeout_ms_(timeout_ms) {}
  // Asks for the public key (pubkey auth; a PSK key holder answers with an error, ignored).
  // Returns an error line when the key holder does not answer at all.
  [[nodiscard]] std::string fetch_public_key();
  [[nodiscard]] int fd() const { return sock_.get(); }
  [[nodiscard]] bool gone() const { return !sock_.valid(); }

  ike::KeyResult psk_auth(ike::Prf prf, std::span<const uint8_t> signed_octets, const ike::KeyUseContext& use) override;
  ike::KeyResult sign(std::span<const uint8_t> signed_octets, const ike::KeyUseContext& use) override;
  std::vector<uint8_t> public_key_der() const override { return public_key_; }

 private:
  ike::KeyResult call(uint8_t type, ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use);

  UniqueFd sock_;
  int timeout_ms_;
  uint32_t next_id_ = 1;
  std::vector<uint8_t> public_key_;
};

}  // namespace linkcrypt::ikeproc
