// MKPDU encode and decode (IEEE 802.1X-2020 11.11): the EAPOL-MKA frame, the Basic Parameter Set and the parameter sets linkcrypt uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mka_crypto.h"

namespace linkcrypt::mka {

inline constexpr uint16_t kEapolEtherType = 0x888E;
inline constexpr uint8_t kEapolTypeMka = 5;          // 11.3.2 Table 11-3
inline constexpr uint8_t kMkaVersion = 3;             // 802.1X-2020
inline constexpr uint32_t kAlgorithmAgility = 0x0080C201;  // 802.1X-2009 and later (11.11.2)
inline constexpr uint64_t kDefaultCipherSuite = 0x0080C20001000001;  // GCM-AES-128 (802.1AE Table 14-1)

using Mac = std::array<uint8_t, 6>;
using MemberIdentifier = std::array<uint8_t, kMiLen>;

// A member's MI and the latest MN it was seen with (Live and Potential Peer Lists, 11.11.2).
struct PeerEntry {
  MemberIdentifier mi{};
  uint32_t mn = 0;
  bool operator==(const PeerEntry&) const = default;
};

// 11.11.2 Figure 11-8.
struct BasicParameterSet {
  uint8_t version = kMkaVersion;
  uint8_t key_server_priority = 0;
  bool key_server = false;
  bool macsec_desired = true;
  uint8_t macsec_capability = 3;  // 0..3: integrity and confidentiality with offsets 0, 30, 50
  std::array<uint8_t, 8> sci{};
  MemberIdentifier mi{};
  uint32_t mn = 0;
  uint32_t algorithm_agility = kAlgorithmAgility;
  std::vector<uint8_t> ckn;  // 1..32 octets
  bool operator==(const BasicParameterSet&) const = default;
};

// 11.11.3 Figure 11-10, the MACsec SAK Use parameter set. has_keys false: the body is empty
// (no SAK is in use yet).
struct SakUse {
  uint8_t latest_an = 0;
  bool latest_tx = false, latest_rx = false;
  uint8_t old_an = 0;
  bool old_tx = false, old_rx = false;
  bool plain_tx = false, plain_rx = false, delay_protect = false;
  bool has_keys = false;
  MemberIdentifier latest_server_mi{};
  uint32_t latest_kn = 0, latest_lowest_pn = 0;
  MemberIdentifier old_server_mi{};
  uint32_t old_kn = 0, old_lowest_pn = 0;
  bool operator==(const SakUse&) const = default;
};

// 11.11.3 Figure 11-11, the Distributed SAK parameter set. An empty wrapped_sak is the plain-text
// form (MACsec not used); cipher_suite is absent for the default GCM-AES-128.
struct DistributedSak {
  uint8_t an = 0;
  uint8_t confidentiality_offset = 0;  // 0..3 as in the Basic Parameter Set's capability
  uint32_t key_number = 0;
  std::optional<uint64_t> cipher_suite;
  std::vector<uint8_t> wrapped_sak;  // RFC 3394 output: 24 or 40 octets
  bool operator==(const DistributedSak&) const = default;
};

// 11.11.4, the XPN parameter set: the most significant 32 bits of the lowest acceptable PNs.
struct XpnSet {
  uint8_t suspension_time = 0;
  uint32_t latest_lowest_pn_high = 0, old_lowest_pn_high = 0;
  bool operator==(const XpnSet&) const = default;
};

struct Mkpdu {
  BasicParameterSet basic;
  std::optional<std::vector<PeerEntry>> live_peers;
  uint8_t key_server_ssci = 0;  // octet 2 of the Live Peer List (XPN, 802.1X-2020 11.11.2)
  std::optional<std::vector<PeerEntry>> potential_peers;
  std::optional<SakUse> sak_use;
  std::optional<DistributedSak> distributed_sak;
  std::optional<XpnSet> xpn;
  bool operator==(const Mkpdu&) const = default;
};

// The whole Ethernet frame, from DA to the ICV, with the ICV computed with the ICK.
[[nodiscard]] std::optional<std::vector<uint8_t>> encode_mkpdu(const Mkpdu& pdu, const Mac& dst, const Mac& src,
                                                               std::span<const uint8_t> ick);

enum class MkpduError : uint8_t {
  None,
  Truncated,        // shorter than its headers or length fields say
  NotEapolMka,      // another EtherType, or an EAPOL packet that is not EAPOL-MKA
  BadBasicSet,      // version 0, CKN empty or longer than 32, body length out of range
  BadParameterSet,  // a known set whose length does not fit its type
  DuplicateSet,     // a parameter set type twice
  BadIcvIndicator,  // an ICV Indicator that is not the last set, or of another length
};

struct DecodedMkpdu {
  Mkpdu pdu;
  Mac dst{}, src{};
  std::span<const uint8_t> covered;  // the octets the ICV covers (DA .. end of the last parameter set)
  std::array<uint8_t, kIcvLen> icv{};
  uint32_t unknown_sets = 0;  // parameter sets of types we do not use, skipped (11.11.2)
};

// Parses an untagged Ethernet frame carrying EAPOL-MKA. The ICV is returned, not checked: the
// ICK that checks it follows from the CKN, which the caller looks up first.
[[nodiscard]] MkpduError decode_mkpdu(std::span<const uint8_t> frame, DecodedMkpdu& out);

// Constant-time check of the decoded ICV with the ICK.
[[nodiscard]] bool mkpdu_icv_ok(const DecodedMkpdu& d, std::span<const uint8_t> ick);

}  // namespace linkcrypt::mka
