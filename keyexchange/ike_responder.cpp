// The listener that turns a first IKE_SA_INIT into a responder Session, with COOKIEs under load (RFC 7296 2.6).
#include <openssl/crypto.h>

#include <algorithm>

#include "ike_session_impl.h"

namespace linkcrypt::ike {

struct Responder::Impl {
  std::shared_ptr<const Config> cfg;
  ResponderLimits limits;
  ResponderCounters counters;
  std::shared_ptr<HalfOpenTracker> tracker = std::make_shared<HalfOpenTracker>();
  // RFC 7296 2.6: the secret changes periodically; cookies made with the previous one stay
  // valid for one more period so an initiator caught by the change is not bounced twice.
  SecretBytes cookie_secret[2] = {SecretBytes(32), SecretBytes(32)};
  uint8_t cookie_version = 0;  // version of cookie_secret[cookie_version % 2]
  std::optional<TimePoint> secret_born;
  std::vector<std::weak_ptr<InitReplyCache>> caches;

  static constexpr Millis kSecretLifetime{300000};

  void rotate_secret_if_due(TimePoint now) {
    if (secret_born && now - *secret_born < kSecretLifetime) return;
    if (secret_born) ++cookie_version;
    if (!random_bytes(cookie_secret[cookie_version % 2].mut())) std::abort();  // no CSPRNG
    secret_born = now;
  }

  // RFC 7296 2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>); in-band, IPi is
  // the initiator's source MAC (transport.h), so a cookie is only good from the MAC it was sent to.
  std::vector<uint8_t> cookie_for(uint8_t version, std::span<const uint8_t> ni, const Endpoint& remote,
                                  uint64_t spi_i) const {
    std::vector<uint8_t> out(1 + 32);
    out[0] = version;
    const auto spi = spi_bytes(spi_i);
    const uint8_t port[2] = {static_cast<uint8_t>(remote.port >> 8), static_cast<uint8_t>(remote.port)};
    if (!prf(Prf::HmacSha2_256, cookie_secret[version % 2].view(), {ni, remote.address, port, spi},
             std::span<uint8_t>(out).subspan(1)))
      return {};
    return out;
  }

  bool cookie_valid(const std::vector<uint8_t>& got, std::span<const uint8_t> ni, const Endpoint& remote,
                    uint64_t spi_i) const {
    if (got.size() != 33) return false;
    const uint8_t v = got[0];
    if (v != cookie_version && v != static_cast<uint8_t>(cookie_version - 1)) return false;
    const auto want = cookie_for(v, ni, remote, spi_i);
    return want.size() == got.size() && CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0;
  }

  void reply_notify(const Header& req, NotifyType t, std::span<const uint8_t> data, Output& out) const {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    Header h;
    h.spi_i = req.spi_i;
    h.exchange = ExchangeType::IkeSaInit;
    h.flags = kFlagResponse;
    out.send.push_back(Datagram{build_plain_message(h, c), false});
  }
};

Responder::Responder(std::shared_ptr<const Config> cfg, ResponderLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->limits = limits;
}

Responder::~Responder() = default;

void Responder::set_config(std::shared_ptr<const Config> cfg) { impl_->cfg = std::move(cfg); }

Responder::Result Responder::on_init(std::span<const uint8_t> msg, const Endpoint& remote, TimePoint now) {
  Result res;
  Impl& s = *impl_;
  Message m;
  if (parse_message(msg, m) != ParseError::Ok) {
    ++s.counters.malformed;
    return res;
  }
  const Header& h = m.header;
  // RFC 7296 3.1: a new IKE SA starts with a request from the initiator, SPIr 0, message ID 0.
  if (h.exchange != ExchangeType::IkeSaInit || (h.flags & kFlagResponse) || !(h.flags & kFlagInitiator) ||
      h.spi_r != 0 || h.message_id != 0 || h.spi_i == 0) {
    ++s.counters.malformed;
    return res;
  }
  std::erase_if(s.caches, [](const std::weak_ptr<InitReplyCache>& w) { return w.expired(); });
  for (const auto& w : s.caches) {
    auto c = w.lock();
    if (c && c->spi_i == h.spi_i && std::equal(msg.begin(), msg.end(), c->request.begin(), c->request.end())) {
      res.out.send.push_back(Datagram{c->response, false});  // retransmitted request (2.1)
      return res;
    }
  }
  if (s.tracker->count >= s.limits.half_open_limit) {
    ++s.counters.over_limit;
    return res;
  }
  if (s.tracker->count >= s.limits.cookie_threshold) {
    if (!m.payloads.nonce) {
      ++s.counters.malformed;
      return res;
    }
    s.rotate_secret_if_due(now);
    const NotifyPayload* got = m.payloads.find_notify(NotifyType::Cookie);
    // RFC 7296 2.6: the COOKIE notify must be the first payload.
    const bool first = h.next_payload == PayloadType::Notify && !m.payloads.notifies.empty() &&
                       m.payloads.notifies[0].type == static_cast<uint16_t>(NotifyType::Cookie);
    if (got == nullptr || !first || !s.cookie_valid(got->data, *m.payloads.nonce, remote, h.spi_i)) {
      if (got != nullptr) ++s.counters.cookie_invalid;
      ++s.counters.cookies_sent;
      s.reply_notify(h, NotifyType::Cookie, s.cookie_for(s.cookie_version, *m.payloads.nonce, remote, h.spi_i),
                     res.out);
      return res;
    }
  }
  auto impl = std::make_unique<SessionImpl>(s.cfg, Role::Responder, remote);
  if (!impl->on_init_request(msg, m, now, res.out)) {
    ++s.counters.rejected;
    return res;
  }
  impl->half_open_ = s.tracker;
  impl->half_open_counted_ = true;
  ++s.tracker->count;
  s.caches.push_back(impl->init_cache_);
  ++s.counters.accepted;
  res.session.reset(new Session(std::move(impl)));
  return res;
}

size_t Responder::half_open() const { return impl_->tracker->count; }
const ResponderCounters& Responder::counters() const { return impl_->counters; }

}  // namespace linkcrypt::ike
