// ike_udp_peer's fault injection (test only): pick IKE messages by exchange, kind and occurrence.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ike_session.h"

namespace linkcrypt::interop {

// "IKE_AUTH.response.1": the first IKE_AUTH response seen in one direction. Picking by content,
// not by arrival order, keeps a test's drop on the same message when a slow peer makes the
// library retransmit (a retransmission is occurrence 2, 3, ...).
struct MessagePick {
  uint8_t exchange = 0;  // RFC 7296 3.1 exchange type: 34 IKE_SA_INIT ... 37 INFORMATIONAL
  bool response = false;
  uint32_t nth = 1;
};

// A comma-separated list of picks; throws std::invalid_argument on a bad one (CLI parsing).
[[nodiscard]] std::vector<MessagePick> parse_message_picks(const std::string& list);

// Numbers the messages of one direction per (exchange, request/response): 1, 2, ...
class MessageCounter {
 public:
  [[nodiscard]] uint32_t count(const ike::HeaderInfo& h) { return ++seen_[{h.exchange, h.is_response}]; }

 private:
  std::map<std::pair<uint8_t, bool>, uint32_t> seen_;
};

[[nodiscard]] bool picked(const std::vector<MessagePick>& picks, const ike::HeaderInfo& h,
                          uint32_t nth);

}  // namespace linkcrypt::interop
