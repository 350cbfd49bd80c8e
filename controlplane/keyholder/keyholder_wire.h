// The key holder's typed IPC messages (issue 11 §1): small, versioned, length-prefixed; parsed with the bounds-checked cursor.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "long_term_key.h"

namespace linkcrypt::keyholder {

// Frame: u32 length of what follows | u8 version | u8 type | u32 request id | body.
// One frame per SOCK_SEQPACKET datagram; the length must match the datagram exactly.
inline constexpr uint8_t kWireVersion = 1;
// Signed octets are an IKE_SA_INIT message plus a nonce and a MAC: far below this.
inline constexpr size_t kMaxOctets = 60 * 1024;
inline constexpr size_t kMaxFrame = 64 * 1024;

enum class MsgType : uint8_t {
  PskAuth = 1,    // request: prf, use, octets
  Sign = 2,       // request: use, octets
  PublicKey = 3,  // request: (empty)
  Describe = 4,   // request: (empty); answer bytes: name NUL kind NUL fingerprint (custody::KeyDescription)
  AnswerBytes = 0x81,  // answer: the AUTH data / SubjectPublicKeyInfo
  AnswerError = 0x82,  // answer: a KeyError and words for the log
};

struct Request {
  MsgType type = MsgType::PublicKey;
  uint32_t id = 0;
  ike::Prf prf = ike::Prf::HmacSha2_256;  // PskAuth only
  ike::KeyUseContext use;                  // PskAuth and Sign
  std::vector<uint8_t> octets;             // PskAuth and Sign
};

struct Answer {
  uint32_t id = 0;
  ike::KeyResult result;  // bytes when ok, else error + detail
};

[[nodiscard]] std::vector<uint8_t> encode_request(const Request& r);
[[nodiscard]] std::vector<uint8_t> encode_answer(const Answer& a);

// nullopt when the frame is malformed in any way (wrong length, version, type, enum, trailing bytes).
[[nodiscard]] std::optional<Request> parse_request(std::span<const uint8_t> frame);
[[nodiscard]] std::optional<Answer> parse_answer(std::span<const uint8_t> frame);

[[nodiscard]] std::string_view msg_type_name(MsgType t);
[[nodiscard]] std::string_view key_error_name(ike::KeyError e);

}  // namespace linkcrypt::keyholder
