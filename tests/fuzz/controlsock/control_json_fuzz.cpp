// Fuzz target: control-socket request lines into the daemon's request decoder (api/protocol),
// then the typed argument decoder; whatever is accepted must survive a round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/protocol.h"
#include "api/rotations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace linkcrypt::api;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const ParsedRequest p = parse_request(line);
  if (p.request.has_value() == p.error.has_value()) std::abort();  // exactly one
  if (!p.request) return 0;
  RotationsArgs args;
  DecodeError err;
  (void)from_json_value(p.request->args, args, err);
  // What the client would send for this request parses back to the same request.
  std::string again = build_request(p.request->cmd, p.request->args);
  again.pop_back();  // the framing newline
  if (again.size() > kMaxRequestLen) return 0;  // "1e300" is written "1e+300": may grow past the limit
  const ParsedRequest q = parse_request(again);
  if (!q.request || q.request->cmd != p.request->cmd || q.request->args != p.request->args) std::abort();
  return 0;
}
