// `peer`: the IKE peer (state, algorithms, last handshake, last failure: current with its hint, or history).
#pragma once

#include <optional>
#include <string>

#include "api/field_list.h"

namespace linkcrypt::api {

struct PeerFailure {
  std::string reason;  // keyexchange's failure reason name, or PeerDead / IkeDeleted
  std::string detail;
  bool by_peer = false;
  uint64_t s_ago = 0;
  std::optional<std::string> hint;  // what the operator can do about it; null once resolved
  int64_t when = 0;    // Unix seconds
  bool current = true; // false once an IKE SA or a rotation succeeded after it: history, not the state
};
constexpr auto fields_of(std::type_identity<PeerFailure>) {
  using S = PeerFailure;
  return std::tuple{field("reason", &S::reason), field("detail", &S::detail), field("by_peer", &S::by_peer),
                    field("s_ago", &S::s_ago), field("hint", &S::hint), field("when", &S::when),
                    field("current", &S::current)};
}

struct PeerResult {
  std::string ike_state;
  std::string peer_id;
  std::optional<std::string> algorithms;  // "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519"
  // RFC 8784: the current IKE SA's keys include a post-quantum preshared key, and its id.
  bool ppk_protected = false;
  std::optional<std::string> ppk_id;
  std::optional<uint64_t> last_handshake_s_ago;
  uint64_t ike_rekeys = 0;
  uint64_t child_rekeys = 0;
  std::optional<PeerFailure> last_failure;
};
constexpr auto fields_of(std::type_identity<PeerResult>) {
  using S = PeerResult;
  return std::tuple{field("ike_state", &S::ike_state), field("peer_id", &S::peer_id),
                    field("algorithms", &S::algorithms), field("ppk_protected", &S::ppk_protected),
                    field("ppk_id", &S::ppk_id), field("last_handshake_s_ago", &S::last_handshake_s_ago),
                    field("ike_rekeys", &S::ike_rekeys), field("child_rekeys", &S::child_rekeys),
                    field("last_failure", &S::last_failure)};
}

}  // namespace linkcrypt::api
