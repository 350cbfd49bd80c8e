// ike_udp_peer's fault injection (test only): pick IKE messages by exchange, kind and occurrence.
#include "fault_injection.h"

#include <stdexcept>

namespace linkcrypt::interop {
namespace {

uint8_t parse_exchange(const std::string& name) {
  if (name == "IKE_SA_INIT") return 34;
  if (name == "IKE_AUTH") return 35;
  if (name == "CREATE_CHILD_SA") return 36;
  if (name == "INFORMATIONAL") return 37;
  throw std::invalid_argument("unknown exchange '" + name + "'");
}

MessagePick parse_pick(const std::string& spec) {
  const size_t dot1 = spec.find('.');
  const size_t dot2 = dot1 == std::string::npos ? dot1 : spec.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    throw std::invalid_argument("message pick '" + spec + "': want EXCHANGE.request|response.N");
  }
  MessagePick p;
  p.exchange = parse_exchange(spec.substr(0, dot1));
  const std::string kind = spec.substr(dot1 + 1, dot2 - dot1 - 1);
  if (kind != "request" && kind != "response") {
    throw std::invalid_argument("message pick '" + spec + "': request or response");
  }
  p.response = kind == "response";
  p.nth = static_cast<uint32_t>(std::stoul(spec.substr(dot2 + 1)));
  if (p.nth == 0) throw std::invalid_argument("message pick '" + spec + "': N counts from 1");
  return p;
}

}  // namespace

std::vector<MessagePick> parse_message_picks(const std::string& list) {
  std::vector<MessagePick> picks;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    picks.push_back(parse_pick(list.substr(start, comma - start)));
    start = comma + 1;
  }
  return picks;
}

bool picked(const std::vector<MessagePick>& picks, const ike::HeaderInfo& h, uint32_t nth) {
  for (const auto& p : picks) {
    if (p.exchange == h.exchange && p.response == h.is_response && p.nth == nth) return true;
  }
  return false;
}

}  // namespace linkcrypt::interop
