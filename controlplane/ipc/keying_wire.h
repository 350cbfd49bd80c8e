// The messages between the dataplane process and the keying (IKE) process (issue 11 §1): KeySink
// operations, kx frames and the state `linkcryptctl status` shows. Parsed with the bounds-checked cursor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ike_session.h"
#include "secret.h"

namespace linkcrypt::ipc {

// Frame header: ipc_frame.h (u32 length | u8 version | u8 type | u32 id | body); the id is a
// per-sender sequence number, for the logs only.
inline constexpr uint8_t kKeyingWireVersion = 1;
inline constexpr size_t kMaxKxFrame = 9216;       // a jumbo Ethernet frame: IKE messages are far smaller
inline constexpr size_t kMaxKeyingFrame = 16 * 1024;
inline constexpr size_t kMaxSasReported = 64;     // 4 transmit ANs + receive SAs of a few SCs
inline constexpr size_t kMaxText = 512;           // peer id, IKE state, failure words

enum class KeyingMsg : uint8_t {
  // dataplane -> keying process
  Hello = 0x01,        // the wire port's MAC (the SCI and the in-band source address)
  KxIn = 0x02,         // one key-exchange frame the workers punted (EtherType kx-ethertype)
  Counters = 0x03,     // per SA: InPktsOK / octets protected; drops; the PN-threshold flag
  RekeyRequest = 0x04, // `linkcryptctl rekey` on the control socket
  // keying process -> dataplane
  KxOut = 0x41,        // one key-exchange frame to send on the wire port
  InstallSa = 0x42,    // the only message that carries a SAK
  ReinstallSa = 0x43,  // install again a SAK the dataplane still holds (rekey collision survivor)
  SwitchTx = 0x44,
  RetireTx = 0x45,
  RetireRx = 0x46,
  Status = 0x47,       // the keying state for `status` / `peer`
};

struct Hello {
  std::array<uint8_t, 6> mac{};
};
struct KxFrame {  // KxIn and KxOut
  std::vector<uint8_t> frame;
};
struct SaCounter {
  bool tx = false;
  uint64_t sci = 0;  // receive SAs
  uint8_t an = 0;
  uint64_t value = 0;  // rx: InPktsOK; tx: octets protected + encrypted
};
struct Counters {
  uint64_t drops = 0;
  bool tx_threshold_reached = false;
  std::vector<SaCounter> sas;
};
struct RekeyRequest {};
struct InstallSa {
  bool tx = false;
  ike::MacsecSuite suite = ike::MacsecSuite::GcmAesXpn256;
  uint64_t key_id = 0;
  uint64_t sci = 0;
  uint8_t an = 0;
  uint32_t ssci = 0;
  SecretBytes sak;   // 16 or 32 octets
  SecretBytes salt;  // 12 octets (XPN) or empty
};
struct ReinstallSa {
  bool tx = false;
  uint64_t key_id = 0;
};
struct SwitchTx {
  uint8_t an = 0;
};
struct RetireTx {
  uint8_t an = 0;
};
struct RetireRx {
  uint64_t sci = 0;
  uint8_t an = 0;
};
struct Status {
  uint8_t link_state = 0;  // keying::LinkState
  bool initiator = false;
  bool rotation_in_progress = false;
  std::optional<uint8_t> tx_an;
  std::optional<uint64_t> tx_key_id;
  uint64_t rotations = 0;
  std::string transport;
  std::string peer_id;
  std::string ike_state;
  std::optional<std::pair<uint64_t, uint64_t>> ike_spis;  // the kx classifier's priority (issue 15)
  std::string failure;       // empty: none current
  std::string failure_hint;
  uint64_t failure_s_ago = 0;
};

using KeyingMessage = std::variant<Hello, KxFrame, Counters, RekeyRequest, InstallSa, ReinstallSa, SwitchTx,
                                   RetireTx, RetireRx, Status>;

struct Decoded {
  KeyingMsg type = KeyingMsg::Hello;
  uint32_t seq = 0;
  KeyingMessage msg;
};

// KxFrame needs the type (KxIn or KxOut); every other alternative has one.
[[nodiscard]] std::vector<uint8_t> encode(KeyingMsg type, uint32_t seq, const KeyingMessage& m);
// nullopt when the frame is malformed in any way (length, version, type, enum, bounds, trailing bytes).
[[nodiscard]] std::optional<Decoded> parse(std::span<const uint8_t> frame);
// Which side may send a type: true for dataplane -> keying process.
[[nodiscard]] bool from_dataplane(KeyingMsg t);
[[nodiscard]] std::string_view keying_msg_name(KeyingMsg t);

}  // namespace linkcrypt::ipc
