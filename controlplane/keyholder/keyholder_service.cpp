// serve: parse each request with the bounds-checked parser, ask the key, answer, log the use.
#include "keyholder_service.h"

#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "key_description.h"
#include "keyholder_log.h"
#include "keyholder_wire.h"

namespace linkcrypt::keyholder {

namespace {

// The key's name, kind and fingerprint for linkcryptd's audit log and `linkcryptctl keys`.
std::vector<uint8_t> description(const ike::LongTermKey& key) {
  std::vector<uint8_t> out;
  if (const auto* d = dynamic_cast<const custody::Described*>(&key)) {
    const auto desc = d->description();
    for (const std::string* s : {&desc.name, &desc.kind, &desc.fingerprint}) {
      if (!out.empty()) out.push_back(0);
      out.insert(out.end(), s->begin(), s->end());
    }
  }
  return out;
}

}  // namespace

int serve(int fd, ike::LongTermKey& key) {
  std::vector<uint8_t> buf(kMaxFrame + 1);
  for (;;) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    Answer a;
    auto q = parse_request({buf.data(), static_cast<size_t>(n)});
    if (!q) {
      log_line("malformed request (" + std::to_string(n) + " octets) refused");
      a.result = ike::KeyResult::fail(ike::KeyError::Failed, "the key holder could not parse the request");
    } else {
      a.id = q->id;
      switch (q->type) {
        case MsgType::PskAuth: a.result = key.psk_auth(q->prf, q->octets, q->use); break;
        case MsgType::Sign: a.result = key.sign(q->octets, q->use); break;
        case MsgType::Describe: a.result = ike::KeyResult::of(description(key)); break;
        default: a.result = ike::KeyResult::of(key.public_key_der()); break;
      }
      // Every use of the key is logged; the public key and the description are not uses.
      if (q->type == MsgType::PskAuth || q->type == MsgType::Sign) log_request(*q, a.result);
    }
    const auto out = encode_answer(a);
    if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return 1;
  }
}

}  // namespace linkcrypt::keyholder
