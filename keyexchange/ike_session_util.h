// Small helpers shared by the session state machine's files (nonces, notifies, offers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "byte_reader.h"
#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_proposals.h"

namespace linkcrypt::ike::detail {

constexpr size_t kNonceLen = 32;
// IKE_SA_INIT answers are unauthenticated (RFC 7296 2.21.1): each COOKIE or INVALID_KE_PAYLOAD
// we act on restarts the exchange, so a forger could keep us restarting for ever. A genuine
// responder needs one cookie round (two if its secret rotates in between, 2.6) and one group
// change (it names the group it wants, 1.2); two of each let every genuine path through, and
// beyond that such notifies are ignored like any other unauthenticated error.
constexpr uint32_t kMaxCookieRounds = 2;
constexpr uint32_t kMaxInvalidKeRounds = 2;

inline std::vector<uint8_t> random_vec(size_t n) {
  std::vector<uint8_t> v(n);
  if (!random_bytes(v)) std::abort();  // no CSPRNG: nothing safe to do
  return v;
}

inline std::vector<uint8_t> u16_bytes(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

inline std::optional<uint16_t> notify_u16(const NotifyPayload& n) {
  ByteReader r(n.data);
  uint16_t v = 0;
  if (!r.read_u16(v) || !r.empty()) return std::nullopt;
  return v;
}

// RFC 7296 2.8.1: nonces are compared as byte strings; the lowest names the redundant SA.
inline bool nonce_less(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

inline const char* notify_name(uint16_t t) {
  switch (static_cast<NotifyType>(t)) {
    case NotifyType::UnsupportedCriticalPayload: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case NotifyType::InvalidIkeSpi: return "INVALID_IKE_SPI";
    case NotifyType::InvalidMajorVersion: return "INVALID_MAJOR_VERSION";
    case NotifyType::InvalidSyntax: return "INVALID_SYNTAX";
    case NotifyType::InvalidMessageId: return "INVALID_MESSAGE_ID";
    case NotifyType::InvalidSpi: return "INVALID_SPI";
    case NotifyType::NoProposalChosen: return "NO_PROPOSAL_CHOSEN";
    case NotifyType::InvalidKePayload: return "INVALID_KE_PAYLOAD";
    case NotifyType::AuthenticationFailed: return "AUTHENTICATION_FAILED";
    case NotifyType::TsUnacceptable: return "TS_UNACCEPTABLE";
    case NotifyType::TemporaryFailure: return "TEMPORARY_FAILURE";
    case NotifyType::ChildSaNotFound: return "CHILD_SA_NOT_FOUND";
    case NotifyType::NoAdditionalSas: return "NO_ADDITIONAL_SAS";
    case NotifyType::Cookie: return "COOKIE";
    default: return "error notify";
  }
}

// First error-type notify (types below 16384, RFC 7296 3.10.1), if any.
inline const NotifyPayload* first_error(const Payloads& p) {
  for (const auto& n : p.notifies)
    if (n.type < 16384) return &n;
  return nullptr;
}

// Private-use status notify 40961 carrying the sender's acceptable SA payload, sent beside
// NO_PROPOSAL_CHOSEN so the operator on the other side sees both offers (docs/protocol.md).
constexpr uint16_t kNotifyOurOffer = 40961;

inline std::vector<std::string> peer_offer_from(const Payloads& p) {
  for (const auto& n : p.notifies) {
    if (n.type != kNotifyOurOffer) continue;
    std::vector<Proposal> props;
    if (parse_sa(n.data, props) == ParseError::Ok) return describe(props);
    return {"(unparsable offer)"};
  }
  return {"(peer did not say)"};
}

// Traffic selectors of a child SA: the given ones, else (ESP) the configured ones, else (MACsec)
// the whole-link selector.
inline void add_ts(const Config& cfg, ChainBuilder& c, const std::vector<TrafficSelector>* tsi,
                   const std::vector<TrafficSelector>* tsr) {
  static const std::vector<TrafficSelector> kAny{TrafficSelector{}};
  const bool esp = cfg.child.kind == ChildKind::Esp;
  if (tsi == nullptr) tsi = esp ? &cfg.child.esp.ts_local : &kAny;
  if (tsr == nullptr) tsr = esp ? &cfg.child.esp.ts_remote : &kAny;
  c.add(PayloadType::TsI, build_ts(*tsi));
  c.add(PayloadType::TsR, build_ts(*tsr));
}

// Our MACsec SCI (private-use notify, docs/protocol.md); nothing for ESP.
inline void add_sci(const Config& cfg, ChainBuilder& c) {
  if (cfg.child.kind != ChildKind::Macsec) return;
  const auto sci = spi_bytes(cfg.child.macsec.local_sci);
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::MacsecSci, sci));
}

}  // namespace linkcrypt::ike::detail
