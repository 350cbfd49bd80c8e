// Building our SA offers and choosing from the peer's (RFC 7296 2.7, 3.3) for IKE, MACsec and ESP.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ike_codec.h"
#include "ike_keys.h"
#include "ike_session.h"

namespace linkcrypt::ike {

[[nodiscard]] std::vector<Proposal> build_ike_offer(const std::vector<IkeProposal>& cfg, std::span<const uint8_t> spi);
// Responder choice (2.7): the first peer proposal, in the peer's order, that one of ours covers.
[[nodiscard]] std::optional<IkeSuite> select_ike(const std::vector<Proposal>& peer, const std::vector<IkeProposal>& ours,
                                                 Proposal& chosen);
// Initiator check of the responder's answer: exactly one proposal, a subset of what we offered.
[[nodiscard]] std::optional<IkeSuite> validate_ike_choice(const std::vector<Proposal>& answer,
                                                          const std::vector<Proposal>& offered);

// The negotiated child suite.
struct ChildSuite {
  ChildKind kind = ChildKind::Macsec;
  MacsecSuite macsec = MacsecSuite::GcmAesXpn256;
  uint8_t offset = 0;
  bool confidentiality = true;
  uint16_t esp_key_bits = 128;
  std::optional<DhGroup> group;  // PFS group (CREATE_CHILD_SA only)
};

[[nodiscard]] std::vector<Proposal> build_child_offer(const ChildConfig& cfg, uint32_t spi, bool with_ke,
                                                      std::optional<DhGroup> first_group = std::nullopt);
// want_ke: the exchange carries a KE (CREATE_CHILD_SA with PFS configured).
[[nodiscard]] std::optional<ChildSuite> select_child(const std::vector<Proposal>& peer, const ChildConfig& ours,
                                                     bool want_ke, Proposal& chosen, uint32_t our_spi);
[[nodiscard]] std::optional<ChildSuite> validate_child_choice(const std::vector<Proposal>& answer,
                                                              const std::vector<Proposal>& offered);

// One line per proposal, e.g. "IKE:AES_GCM_16_256,AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519".
[[nodiscard]] std::vector<std::string> describe(const std::vector<Proposal>& proposals);

[[nodiscard]] uint32_t spi_u32(std::span<const uint8_t> spi);
[[nodiscard]] uint64_t spi_u64(std::span<const uint8_t> spi);
[[nodiscard]] std::vector<uint8_t> spi_bytes(uint32_t spi);
[[nodiscard]] std::vector<uint8_t> spi_bytes(uint64_t spi);

}  // namespace linkcrypt::ike
