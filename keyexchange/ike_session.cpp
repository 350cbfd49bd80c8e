// The IKEv2 session core: construction, failure, dispatch, windows, timers, queue (RFC 7296 2.1-2.4).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "long_term_key.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

std::shared_ptr<const PreparedAuth> prepare_auth(const std::shared_ptr<const Config>& cfg) {
  // A few entries per thread, keyed by the Config object itself (the weak_ptr proves it is the
  // same live object, not a reused address); an initiator and a responder config fit together.
  struct Entry {
    std::weak_ptr<const Config> cfg;
    std::shared_ptr<const PreparedAuth> auth;
  };
  thread_local std::vector<Entry> cache;
  for (const auto& e : cache)
    if (auto c = e.cfg.lock(); c && c.get() == cfg.get()) return e.auth;
  auto p = std::make_shared<PreparedAuth>();
  if (cfg->auth.key)
    p->key = cfg->auth.key;
  else if (cfg->auth.method == AuthMethod::Psk)
    p->key = make_in_process_psk(cfg->auth.psk.clone());
  else
    p->key = make_in_process_signing_key(cfg->auth.private_key_pem.view());
  if (cfg->auth.method == AuthMethod::RawPublicKey) p->peer_key = parse_public_key_der(cfg->auth.peer_public_key_der);
  std::erase_if(cache, [](const Entry& e) { return e.cfg.expired(); });
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back(Entry{cfg, p});
  return p;
}

SessionImpl::SessionImpl(std::shared_ptr<const Config> cfg, Role role, Endpoint remote)
    : cfg_(std::move(cfg)), role_(role), auth_(prepare_auth(cfg_)), nat_(cfg_->local, std::move(remote)) {}

SessionImpl::~SessionImpl() {
  if (half_open_counted_ && half_open_) --half_open_->count;
}

void SessionImpl::mark_established() {
  state_ = SessionState::Established;
  if (half_open_counted_ && half_open_) --half_open_->count;
  half_open_counted_ = false;
}

void SessionImpl::fail(FailReason r, std::string detail, Output& out, bool by_peer,
                       std::optional<ProposalMismatch> props) {
  Failed f;
  f.reason = r;
  f.detail = std::move(detail);
  f.by_peer = by_peer;
  f.proposals = std::move(props);
  out.events.emplace_back(std::move(f));
  state_ = SessionState::Failed;
  sas_.drop_pending();
  queue_.clear();
  retry_at_.reset();
  if (half_open_counted_ && half_open_) --half_open_->count;
  half_open_counted_ = false;
}

void SessionImpl::close_session() {
  state_ = SessionState::Closed;
  sas_.drop_pending();
  sas_.children.clear();
  queue_.clear();
  retry_at_.reset();
}

// ---- dispatch, queue, timers -----------------------------------------------------------------

void SessionImpl::dispatch_request(IkeSa& sa, const Message& m, const Payloads& in, Output& out) {
  const uint32_t mid = m.header.message_id;
  sa.peer_next_mid = mid + 1;
  switch (m.header.exchange) {
    case ExchangeType::IkeAuth:
      if (role_ == Role::Responder && state_ == SessionState::InitSent && &sa == sas_.ike.get() && awaiting_auth_) {
        // One request settles IKE_AUTH either way (established or failed).
        const AuthExchange x = std::move(*awaiting_auth_);
        awaiting_auth_.reset();
        x.answer_request(*this, sa, m, in, out);
      } else {
        ++counters_.rx_unexpected;
      }
      return;
    case ExchangeType::CreateChildSa:
      // Only the current, established IKE SA takes new SAs; the first proposal says which one the
      // peer rekeys (RFC 7296 1.3.2, 1.3.3).
      if (&sa != sas_.ike.get() || sa.deleting || state_ != SessionState::Established) {
        answer_notify(sa, ExchangeType::CreateChildSa, mid, NotifyType::TemporaryFailure, {}, out);
      } else if (validate_create_child_request(in) != Invalid::Ok) {
        ++counters_.rx_invalid;
        answer_notify(sa, ExchangeType::CreateChildSa, mid, NotifyType::InvalidSyntax, {}, out);
      } else if ((*in.sa)[0].protocol == ProtocolId::Ike) {
        RekeyIkeExchange::answer_request(*this, sa, in, mid, out);
      } else {
        RekeyChildExchange::answer_request(*this, sa, in, mid, out);
      }
      return;
    case ExchangeType::Informational:
      answer_informational(*this, sa, in, mid, out);
      return;
    default:
      ++counters_.rx_unexpected;
      return;
  }
}

void SessionImpl::dispatch_response(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out) {
  const ReqKind kind = sa.pending->kind();
  const ExchangeType want = kind == ReqKind::Auth ? ExchangeType::IkeAuth
                            : (kind == ReqKind::RekeyChild || kind == ReqKind::RekeyIke) ? ExchangeType::CreateChildSa
                                                                                         : ExchangeType::Informational;
  if (m.header.exchange != want) {
    ++counters_.rx_unexpected;
    return;
  }
  Pending p = std::move(*sa.pending);
  sa.pending.reset();
  switch (kind) {
    case ReqKind::Auth: std::get<AuthExchange>(p.req).process_response(*this, sa, in, out); return;
    case ReqKind::RekeyChild: std::get<RekeyChildExchange>(p.req).process_response(*this, in, now, out); return;
    case ReqKind::RekeyIke: std::get<RekeyIkeExchange>(p.req).process_response(*this, sa, in, now, out); return;
    case ReqKind::DeleteChild: std::get<DeleteChildExchange>(p.req).process_response(*this, out); return;
    case ReqKind::DeleteIke: std::get<DeleteIkeExchange>(p.req).process_response(*this, sa, out); return;
    case ReqKind::Dpd: std::get<LivenessExchange>(p.req).process_response(); return;
    case ReqKind::Init: return;  // never here: on_message takes IKE_SA_INIT answers
  }
}

Output SessionImpl::on_message(std::span<const uint8_t> msg, TimePoint now) {
  Output out;
  ++counters_.rx_messages;
  Message m;
  if (parse_message(msg, m) != ParseError::Ok) {
    ++counters_.rx_malformed;
    return out;
  }
  const Header& h = m.header;
  const bool is_response = (h.flags & kFlagResponse) != 0;
  if (!sas_.ike) {
    ++counters_.rx_unexpected;
    return out;
  }
  IkeSa& cur = *sas_.ike;
  if (state_ == SessionState::Failed || state_ == SessionState::Closed) {
    // Dead, but a retransmitted request still gets its cached answer (e.g. the
    // AUTHENTICATION_FAILED whose first copy was lost, RFC 7296 2.1).
    if (!is_response && cur.has_cached && h.spi_i == cur.spi_i && h.spi_r == cur.spi_r &&
        h.message_id == cur.cached_mid) {
      ++counters_.rx_retransmits;
      out.send.push_back(Datagram{cur.cached_response, nat_.on_nat_port()});
    } else {
      ++counters_.rx_unexpected;
    }
    return out;
  }
  if (h.exchange == ExchangeType::IkeSaInit) {
    if (role_ == Role::Initiator && state_ == SessionState::InitSent && is_response && h.spi_i == cur.spi_i &&
        h.message_id == 0 && cur.pending && cur.pending->kind() == ReqKind::Init) {
      auto t = std::get<InitExchange>(cur.pending->req).process_response(*this, msg, m, now, out);
      if (t) {
        cur.pending.reset();
        last_rx_ = now;
        AuthExchange::start(*this, std::move(*t), now, out);
      }
    } else if (role_ == Role::Responder && !is_response && init_cache_ && h.spi_i == init_cache_->spi_i &&
               std::equal(msg.begin(), msg.end(), init_cache_->request.begin(), init_cache_->request.end())) {
      ++counters_.rx_retransmits;
      out.send.push_back(Datagram{init_cache_->response, false});
    } else {
      ++counters_.rx_unexpected;
    }
    return out;
  }
  IkeSa* sa = nullptr;
  if (cur.spi_i == h.spi_i && cur.spi_r == h.spi_r) sa = &cur;
  for (const auto& r : sas_.retiring)
    if (r->spi_i == h.spi_i && r->spi_r == h.spi_r) sa = r.get();
  if (sa == nullptr && !is_response) {
    for (const auto& t : sas_.graveyard) {
      if (t.spi_i == h.spi_i && t.spi_r == h.spi_r && t.mid == h.message_id) {
        ++counters_.rx_retransmits;
        out.send.push_back(Datagram{t.response, nat_.on_nat_port()});
        return out;
      }
    }
  }
  // RFC 7296 3.1: the I flag says who sent it; a message claiming to be from our side is bogus.
  if (sa == nullptr || ((h.flags & kFlagInitiator) != 0) == sa->initiator) {
    ++counters_.rx_unexpected;
    return out;
  }
  if (is_response) {
    if (!sa->pending || sa->pending->kind() == ReqKind::Init || sa->pending->mid != h.message_id) {
      ++counters_.rx_unexpected;
      return out;
    }
  } else if (sa->has_cached && h.message_id == sa->cached_mid && h.message_id + 1 == sa->peer_next_mid) {
    // RFC 7296 2.1: a retransmitted request gets the same response again, not a new one.
    ++counters_.rx_retransmits;
    out.send.push_back(Datagram{sa->cached_response, nat_.on_nat_port()});
    return out;
  } else if (h.message_id != sa->peer_next_mid) {
    ++counters_.rx_unexpected;
    return out;
  }
  Payloads in;
  if (!open(*sa, msg, m, in)) return out;
  last_rx_ = now;
  if (is_response)
    dispatch_response(*sa, m, in, now, out);
  else
    dispatch_request(*sa, m, in, out);
  pump_queue(now, out);
  return out;
}

void SessionImpl::enqueue(QueuedRequest r, TimePoint now, Output& out) {
  queue_.push_back(r);
  pump_queue(now, out);
}

void SessionImpl::pump_queue(TimePoint now, Output& out) {
  // While an IKE rekey of ours is in flight (possibly colliding, 2.8.2) the current SA may yet be
  // replaced: start nothing new until it settles.
  while (state_ == SessionState::Established && sas_.ike && !sas_.ike->pending && !queue_.empty() &&
         !sas_.ike_rekey_in_flight()) {
    const QueuedRequest r = queue_.front();
    queue_.pop_front();
    switch (r.kind) {
      case ReqKind::RekeyChild: RekeyChildExchange::start(*this, r.child_spi, now, out); break;
      case ReqKind::RekeyIke: RekeyIkeExchange::start(*this, now, out); break;
      case ReqKind::DeleteChild: DeleteChildExchange::start(*this, r.child_spi, now, out); break;
      case ReqKind::DeleteIke: DeleteIkeExchange::start(*this, *sas_.ike, now, out); break;
      case ReqKind::Dpd: LivenessExchange::start(*this, now, out); break;
      default: break;
    }
  }
}

void SessionImpl::retransmit(IkeSa& sa, TimePoint now, Output& out) {
  if (!sa.pending || now < sa.pending->next_retx) return;
  Pending& p = *sa.pending;
  if (p.kind() == ReqKind::Init && std::get<InitExchange>(p.req).restart_due()) {
    InitExchange x = std::move(std::get<InitExchange>(p.req));
    sa.pending.reset();
    std::move(x).restart_now(*this, now, out);
    return;
  }
  if (p.retries >= cfg_->timers.retransmit_limit && p.kind() == ReqKind::DeleteIke &&
      DeleteIkeExchange::give_up_quietly(&sa == sas_.ike.get())) {
    // A retiring IKE SA whose Delete is never answered is gone anyway (RFC 7296 1.4.1); its
    // successor carries on, so this is not a dead peer.
    sas_.drop_retiring(&sa);
    return;
  }
  if (p.retries >= cfg_->timers.retransmit_limit) {
    // RFC 7296 2.4: no answer after all retransmissions: the peer is gone.
    if (state_ == SessionState::Established) {
      out.events.emplace_back(PeerDead{});
      close_session();
    } else if (p.kind() == ReqKind::Init) {
      std::get<InitExchange>(p.req).fail_unanswered(*this, p.retries + 1, out);
    } else {
      fail(FailReason::PeerUnreachable, "no answer from the peer after " + std::to_string(p.retries + 1) + " tries",
           out);
    }
    return;
  }
  ++p.retries;
  ++counters_.tx_retransmits;
  p.interval = std::min<Millis>(p.interval * cfg_->timers.backoff_factor, cfg_->timers.retransmit_max);
  p.next_retx = now + p.interval;
  out.send.push_back(Datagram{p.bytes, nat_.on_nat_port() && p.kind() != ReqKind::Init});
}

Output SessionImpl::on_timer(TimePoint now) {
  Output out;
  if (state_ == SessionState::Failed || state_ == SessionState::Closed || !sas_.ike) return out;
  for (size_t i = 0; i < sas_.retiring.size() && state_ != SessionState::Closed; ++i)
    retransmit(*sas_.retiring[i], now, out);
  if (state_ == SessionState::Closed) return out;
  retransmit(*sas_.ike, now, out);
  if (state_ == SessionState::Failed || state_ == SessionState::Closed) return out;
  if (role_ == Role::Responder && state_ == SessionState::InitSent && now - created_ >= cfg_->timers.half_open_timeout) {
    fail(FailReason::PeerUnreachable, "half-open IKE SA timed out waiting for IKE_AUTH", out);
    return out;
  }
  if (retry_at_ && now >= *retry_at_) {
    retry_at_.reset();
    if (retry_req_) queue_.push_back(*retry_req_);
    retry_req_.reset();
  }
  const auto dpd = cfg_->timers.dpd_interval;
  if (state_ == SessionState::Established && LivenessExchange::enabled(dpd) && !sas_.ike->pending && queue_.empty() &&
      now >= LivenessExchange::due_at(last_rx_, dpd))
    queue_.push_back(QueuedRequest{ReqKind::Dpd, 0});
  pump_queue(now, out);
  return out;
}

std::optional<TimePoint> SessionImpl::next_deadline() const {
  if (state_ == SessionState::Failed || state_ == SessionState::Closed || state_ == SessionState::Idle || !sas_.ike)
    return std::nullopt;
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (!best || t < *best) best = t;
  };
  if (sas_.ike->pending) consider(sas_.ike->pending->next_retx);
  for (const auto& r : sas_.retiring)
    if (r->pending) consider(r->pending->next_retx);
  if (retry_at_) consider(*retry_at_);
  if (role_ == Role::Responder && state_ == SessionState::InitSent) consider(created_ + cfg_->timers.half_open_timeout);
  if (state_ == SessionState::Established && LivenessExchange::enabled(cfg_->timers.dpd_interval) && !sas_.ike->pending)
    consider(LivenessExchange::due_at(last_rx_, cfg_->timers.dpd_interval));
  return best;
}

Output SessionImpl::rekey_child(TimePoint now) {
  Output out;
  if (state_ == SessionState::Established) enqueue(QueuedRequest{ReqKind::RekeyChild, 0}, now, out);
  return out;
}

Output SessionImpl::rekey_ike(TimePoint now) {
  Output out;
  if (state_ == SessionState::Established) enqueue(QueuedRequest{ReqKind::RekeyIke, 0}, now, out);
  return out;
}

Output SessionImpl::close(TimePoint now) {
  Output out;
  if (state_ != SessionState::Established) {
    if (state_ != SessionState::Failed) state_ = SessionState::Closed;
    return out;
  }
  queue_.clear();
  retry_at_.reset();
  enqueue(QueuedRequest{ReqKind::DeleteIke, 0}, now, out);
  return out;
}

bool SessionImpl::owns(const HeaderInfo& h) const {
  std::vector<const IkeSa*> all{sas_.ike.get()};
  for (const auto& r : sas_.retiring) all.push_back(r.get());
  for (const IkeSa* sa : all) {
    if (sa == nullptr || sa->spi_i != h.spi_i) continue;
    if (sa->spi_r == h.spi_r) return true;
    // Our IKE_SA_INIT answer (initiator) or a retransmitted IKE_SA_INIT (responder).
    if (h.exchange == static_cast<uint8_t>(ExchangeType::IkeSaInit)) return true;
  }
  // A retransmitted request to an IKE SA we deleted a moment ago: answered from the graveyard.
  for (const auto& t : sas_.graveyard)
    if (t.spi_i == h.spi_i && t.spi_r == h.spi_r && !h.is_response) return true;
  return false;
}

// ---- public facade ---------------------------------------------------------------------------

std::string_view notify_type_name(uint16_t type) { return notify_name(type); }

std::optional<HeaderInfo> peek_header(std::span<const uint8_t> msg) {
  ByteReader r(msg);
  Header h;
  if (parse_header(r, h) != ParseError::Ok) return std::nullopt;
  HeaderInfo out;
  out.spi_i = h.spi_i;
  out.spi_r = h.spi_r;
  out.exchange = static_cast<uint8_t>(h.exchange);
  out.is_response = (h.flags & kFlagResponse) != 0;
  out.from_initiator = (h.flags & kFlagInitiator) != 0;
  out.message_id = h.message_id;
  return out;
}

Session::Session(std::shared_ptr<const Config> cfg) {
  Endpoint remote = cfg->remote;
  impl_ = std::make_unique<SessionImpl>(std::move(cfg), Role::Initiator, std::move(remote));
}
Session::Session(std::unique_ptr<SessionImpl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;
Output Session::start(TimePoint now) { return impl_->start(now); }
Output Session::on_message(std::span<const uint8_t> msg, TimePoint now) { return impl_->on_message(msg, now); }
Output Session::on_timer(TimePoint now) { return impl_->on_timer(now); }
Output Session::rekey_child(TimePoint now) { return impl_->rekey_child(now); }
Output Session::rekey_ike(TimePoint now) { return impl_->rekey_ike(now); }
Output Session::close(TimePoint now) { return impl_->close(now); }
std::optional<TimePoint> Session::next_deadline() const { return impl_->next_deadline(); }
SessionState Session::state() const { return impl_->state_; }
bool Session::established() const { return impl_->state_ == SessionState::Established; }
bool Session::owns(const HeaderInfo& h) const { return impl_->owns(h); }
uint64_t Session::spi_i() const { return impl_->sas_.ike ? impl_->sas_.ike->spi_i : 0; }
uint64_t Session::spi_r() const { return impl_->sas_.ike ? impl_->sas_.ike->spi_r : 0; }
const SessionCounters& Session::counters() const { return impl_->counters_; }

}  // namespace linkcrypt::ike
