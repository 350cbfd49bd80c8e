// libFuzzer target: IKEv2 message parsing, decrypted SK payload chains, and the responder's IKE_SA_INIT path.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ike_codec.h"
#include "ike_session.h"

using namespace linkcrypt::ike;

namespace {

// A responder with a small half-open limit, so the cookie path is reached too.
Responder& responder() {
  static auto cfg = [] {
    auto c = std::make_shared<Config>();
    c->role = Role::Responder;
    c->local_id = Identity::fqdn("fuzz.test");
    c->auth.psk = linkcrypt::SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("k"), 1));
    c->local = Endpoint{{127, 0, 0, 1}, 500};
    return std::shared_ptr<const Config>(c);
  }();
  static Responder r(cfg, ResponderLimits{4, 64});
  return r;
}

}  // namespace

// Input: one mode octet, then the bytes. Mode 0: a whole datagram; 1: a decrypted SK payload
// chain whose first payload type is the next octet; 2: a datagram offered to the Responder.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::span<const uint8_t> in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      Message m;
      (void)parse_message(in, m);
      (void)peek_header(in);
      break;
    }
    case 1: {
      if (in.empty()) break;
      Payloads p;
      (void)parse_payloads(static_cast<PayloadType>(in[0]), in.subspan(1), p);
      break;
    }
    case 2: {
      static std::vector<std::unique_ptr<Session>> sessions;
      auto res = responder().on_init(in, Endpoint{{127, 0, 0, 2}, 500}, TimePoint{});
      if (res.session) sessions.push_back(std::move(res.session));
      if (sessions.size() > 32) sessions.clear();  // bounded memory; also exercises teardown
      break;
    }
  }
  return 0;
}
