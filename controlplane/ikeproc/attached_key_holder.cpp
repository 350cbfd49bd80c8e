// AttachedKeyHolder: one request, one answer, matched by id, within the timeout.
#include "attached_key_holder.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "keyholder_wire.h"
#include "seqpacket.h"

namespace linkcrypt::ikeproc {

using keyholder::MsgType;
using Clock = std::chrono::steady_clock;

std::string AttachedKeyHolder::fetch_public_key() {
  auto r = call(static_cast<uint8_t>(MsgType::PublicKey), ike::Prf::HmacSha2_256, {}, {});
  if (r.ok()) {
    public_key_ = std::move(r.bytes);
    return {};
  }
  if (r.error == ike::KeyError::Unavailable) return "the key holder did not answer: " + r.detail;
  return {};  // a PSK key holder has no public key
}

ike::KeyResult AttachedKeyHolder::psk_auth(ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use) {
  return call(static_cast<uint8_t>(MsgType::PskAuth), prf, octets, use);
}

ike::KeyResult AttachedKeyHolder::sign(std::span<const uint8_t> octets, const ike::KeyUseContext& use) {
  return call(static_cast<uint8_t>(MsgType::Sign), ike::Prf::HmacSha2_256, octets, use);
}

ike::KeyResult AttachedKeyHolder::call(uint8_t type, ike::Prf prf, std::span<const uint8_t> octets,
                                       const ike::KeyUseContext& use) {
  using ike::KeyError;
  using ike::KeyResult;
  if (!sock_.valid()) return KeyResult::fail(KeyError::Unavailable, "the key holder is gone (the supervisor restarts it)");
  if (octets.size() > keyholder::kMaxOctets) return KeyResult::fail(KeyError::Failed, "signed octets too large for the key holder");
  keyholder::Request q;
  q.type = static_cast<MsgType>(type);
  q.id = next_id_++;
  q.prf = prf;
  q.use = use;
  q.octets.assign(octets.begin(), octets.end());
  auto give_up = [&](const std::string& why) {
    sock_.reset();  // every later request fails at once; the supervisor restarts this process
    return KeyResult::fail(KeyError::Unavailable, "the key holder " + why);
  };
  if (ipc::send_message(sock_.get(), keyholder::encode_request(q)) == ipc::SendResult::Closed) return give_up("is gone");
  std::vector<uint8_t> buf;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{sock_.get(), POLLIN, 0};
    const int n = left > 0 ? poll(&p, 1, static_cast<int>(left)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return give_up("did not answer within " + std::to_string(timeout_ms_) + " ms");
    if (n < 0) return give_up("cannot be polled");
    const auto got = ipc::receive_message(sock_.get(), buf, keyholder::kMaxFrame);
    if (got == ipc::RecvResult::Empty) continue;
    if (got == ipc::RecvResult::Closed) return give_up("exited");
    auto a = keyholder::parse_answer(buf);
    if (!a) return give_up("sent a malformed answer");
    if (a->id != q.id) continue;  // the late answer to a request that timed out
    return std::move(a->result);
  }
}

}  // namespace linkcrypt::ikeproc
