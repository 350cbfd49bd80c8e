// libFuzzer target for the rtnetlink datagram parser (link notifications and request replies).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::netlink;
  const std::span<const uint8_t> in(data, size);
  const ParsedDatagram any = parse_datagram(in, 0, 0);
  const ParsedDatagram strict = parse_datagram(in, 1, 1);
  // A refused datagram yields nothing; one accepted for a request is accepted as a notification.
  if (any.error != ParseError::None && !any.links.empty()) std::abort();
  if (strict.error != ParseError::None && !strict.links.empty()) std::abort();
  if (strict.error == ParseError::None && any.error != ParseError::None) std::abort();
  for (const LinkInfo& l : any.links) {
    if (l.name.size() >= 16) std::abort();  // IFNAMSIZ with its NUL
    // What was read survives a round trip through the builder the tests use.
    const ParsedDatagram again = parse_datagram(build_link_message(l, 0, 0), 0, 0);
    if (again.error != ParseError::None || again.links.size() != 1) std::abort();
    const LinkInfo& r = again.links[0];
    if (r.if_index != l.if_index || r.name != l.name || r.mtu != l.mtu || r.operstate != l.operstate ||
        r.admin_up != l.admin_up || r.running != l.running || r.carrier != l.carrier || r.deleted != l.deleted) {
      std::abort();
    }
  }
  return 0;
}
