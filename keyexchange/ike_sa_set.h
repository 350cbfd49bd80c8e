// One peer's SA set: the current IKE SA, those on their way out, the child SAs, each IKE SA's request in flight (RFC 7296 2.3, 2.18).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "ike_codec.h"
#include "ike_crypto.h"
#include "ike_exchange_auth.h"
#include "ike_exchange_delete.h"
#include "ike_exchange_init.h"
#include "ike_exchange_liveness.h"
#include "ike_exchange_rekey_child.h"
#include "ike_exchange_rekey_ike.h"
#include "ike_keys.h"
#include "ike_proposals.h"
#include "ike_session.h"

namespace linkcrypt::ike {

struct ChildSa {
  std::vector<TrafficSelector> ts_local, ts_remote;  // negotiated (ESP); reused on rekey
  uint32_t spi_in = 0;   // ours: the peer sends with it, and names it in Delete
  uint32_t spi_out = 0;  // the peer's
  ChildSuite suite;
  uint8_t an = 0;
  bool deleting = false;
  bool rekeying = false;      // our CREATE_CHILD_SA for it is in flight
  uint32_t replaced_by = 0;   // spi_in of the child that replaces it
};

// Kinds of request, in the order of the Request alternatives below (QueuedRequest names one).
enum class ReqKind : uint8_t { Init, Auth, RekeyChild, RekeyIke, DeleteChild, DeleteIke, Dpd };

// The state of each kind of request in flight: one exchange unit each (ike_exchange_*.h).
using Request = std::variant<InitExchange, AuthExchange, RekeyChildExchange, RekeyIkeExchange, DeleteChildExchange,
                             DeleteIkeExchange, LivenessExchange>;
static_assert(std::variant_size_v<Request> == static_cast<size_t>(ReqKind::Dpd) + 1);

// The one request in flight on an IKE SA (window size 1, RFC 7296 2.3) and its retransmission.
struct Pending {
  // From one alternative, never from another Request: GCC 12 -O3 warns (falsely) on moving a
  // whole variant of these types.
  template <typename R>
  explicit Pending(R&& r) : req(std::forward<R>(r)) {}
  Request req;
  uint32_t mid = 0;
  std::vector<uint8_t> bytes;
  TimePoint next_retx{};
  Millis interval{0};
  uint32_t retries = 0;
  [[nodiscard]] ReqKind kind() const { return static_cast<ReqKind>(req.index()); }
};

struct IkeSa {
  uint64_t spi_i = 0, spi_r = 0;
  bool initiator = false;  // we are the original initiator of this IKE SA (I flag, 2.18)
  IkeSuite suite;
  IkeKeys keys;
  // RFC 8784: both IKE_SA_INIT messages carried USE_PPK; ppk_id names the PPK mixed into keys
  // (empty: none). A rekeyed IKE SA inherits ppk_id: its SKEYSEED comes from the PPK'd SK_d.
  bool use_ppk = false;
  std::string ppk_id;
  uint32_t next_mid = 0;
  uint32_t peer_next_mid = 0;
  bool has_cached = false;
  uint32_t cached_mid = 0;
  std::vector<uint8_t> cached_response;
  uint64_t iv_counter = 0;
  bool deleting = false;
  std::optional<Pending> pending;
  bool rekeying = false;  // our IKE rekey of this SA is in flight
  // Created by answering a peer IKE rekey while ours was in flight (2.8.2); peer_deleted: the
  // peer already deleted it as redundant before our own answer arrived.
  bool collision_product = false;
  bool peer_deleted = false;
};

// A request waiting for the IKE SA's window (or, with child_spi, naming the child it is about).
struct QueuedRequest {
  ReqKind kind;
  uint32_t child_spi = 0;
};

struct SaSet {
  std::unique_ptr<IkeSa> ike;
  // IKE SAs on their way out: the rekeyed-away one until its Delete completes, and after a
  // 2.8.2 collision the redundant new one until its creator deletes it.
  std::vector<std::unique_ptr<IkeSa>> retiring;
  // The last answers of recently deleted IKE SAs, for retransmitted requests.
  struct Tombstone {
    uint64_t spi_i, spi_r;
    uint32_t mid;
    std::vector<uint8_t> response;
  };
  std::vector<Tombstone> graveyard;
  std::vector<ChildSa> children;
  uint64_t peer_sci = 0;                   // the peer's MACsec SCI, from its MACSEC_SCI notify
  std::optional<DhGroup> child_ke_group;   // after INVALID_KE_PAYLOAD on a child rekey

  ChildSa* child_in(uint32_t spi_in);
  ChildSa* child_out(uint32_t spi_out);
  // Derives the child's KEYMAT from the current IKE SA (2.17), adds it to the set (as the
  // successor of `replaces`, if any) and returns the keys for the controller.
  std::optional<ChildKeysReady> install_child(const Config& cfg, const ChildSuite& suite, uint32_t spi_in,
                                              uint32_t spi_out, bool we_initiated, std::span<const uint8_t> g_ir,
                                              std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                              const ChildSa* replaces);
  // Kept until the peer deletes it (2.18), or its creator deletes it after a collision (2.8.2).
  void retire(std::unique_ptr<IkeSa> sa) { retiring.push_back(std::move(sa)); }
  // A retiring IKE SA is gone; its last answer stays for a retransmitted request (2.1).
  void drop_retiring(const IkeSa* sa);
  [[nodiscard]] bool ike_rekey_in_flight() const;
  // Every request in flight ends (the session failed or closed).
  void drop_pending();
};

}  // namespace linkcrypt::ike
