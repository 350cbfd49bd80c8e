// The IKE_SA_INIT unit: build and retry our request, process its untrusted answer, answer the peer's (RFC 7296 1.2, 2.6, 2.21.1).
#include "ike_exchange_init.h"

#include <algorithm>

#include "ike_exchange_context.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

namespace {

// RFC 7427 4: SHA2-256 (2) and Identity (5, for Ed25519, RFC 8420).
void add_signature_hashes(const Config& cfg, ChainBuilder& c) {
  if (cfg.auth.method != AuthMethod::Psk)
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::SignatureHashAlgorithms, std::vector<uint8_t>{0, 2, 0, 5}));
}

// RFC 8784 3: USE_PPK in IKE_SA_INIT says we hold a PPK (the responder only answers one).
void add_use_ppk(const Config& cfg, ChainBuilder& c) {
  if (!cfg.ppk.keys.empty()) c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::UsePpk, {}));
}

}  // namespace

void InitExchange::start(ExchangeContext& ctx, TimePoint now, Output& out) {
  ctx.sas().ike = std::make_unique<IkeSa>();
  ctx.sas().ike->spi_i = random_u64();
  ctx.sas().ike->initiator = true;
  InitExchange x;
  x.offer = build_ike_offer(ctx.config().ike_proposals, {});
  if (ctx.config().ike_proposals.empty() || ctx.config().ike_proposals[0].groups.empty()) {
    ctx.fail(FailReason::InternalError, "no IKE proposal configured", out);
    return;
  }
  x.group = ctx.config().ike_proposals[0].groups[0];
  x.ni = random_vec(kNonceLen);
  std::move(x).send(ctx, now, out);
}

void InitExchange::send(ExchangeContext& ctx, TimePoint now, Output& out) && {
  // RFC 7296 2.6: a retry with a cookie keeps every other payload, our KE value included.
  if (!dh || dh->group() != group) dh = DhKey::generate(group);
  if (!dh) {
    ctx.fail(FailReason::InternalError, "key generation failed", out);
    return;
  }
  ChainBuilder c;
  // RFC 7296 2.6: the COOKIE notify is the first payload of the retried request.
  if (!cookie.empty()) c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::Cookie, cookie));
  c.add(PayloadType::Sa, build_sa(offer));
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(group), dh->public_value()));
  c.add(PayloadType::Nonce, ni);
  ctx.nat().add_notifies(c, ctx.sas().ike->spi_i, 0);
  add_signature_hashes(ctx.config(), c);
  add_use_ppk(ctx.config(), c);
  Header h;
  h.spi_i = ctx.sas().ike->spi_i;
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagInitiator;
  request = build_plain_message(h, c);
  IkeSa& sa = *ctx.sas().ike;
  Pending& p = sa.pending.emplace(std::move(*this));
  const auto& x = std::get<InitExchange>(p.req);
  p.bytes = x.request;
  p.interval = ctx.config().timers.retransmit_base;
  p.next_retx = now + p.interval;
  sa.next_mid = 1;
  ctx.handshake_sent(SessionState::InitSent);
  ctx.send_bytes(x.request, out);
}

std::optional<InitTranscript> InitExchange::process_response(ExchangeContext& ctx, std::span<const uint8_t> msg,
                                                             const Message& m, TimePoint now, Output& out) {
  const Payloads& in = m.payloads;
  // RFC 7296 2.21.1: nothing in an IKE_SA_INIT response is authenticated, so no notify in it may
  // end the attempt. Error notifies are counted and ignored: the request stays pending and is
  // retransmitted as usual until a genuine answer arrives or the retransmissions run out.
  // COOKIE (2.6) and INVALID_KE_PAYLOAD (1.2) are acted on, a bounded number of times, and only
  // when the current request's retransmission falls due: a genuine answer to the current
  // request arriving meanwhile still wins over a forged demand to restart.
  if (const auto* n = in.find_notify(NotifyType::Cookie)) {
    if (restart || cookie_rounds >= kMaxCookieRounds || n->data.empty() || n->data.size() > 64) {
      ignore_notify(ctx, *n, in, out);
      return std::nullopt;
    }
    ++cookie_rounds;
    schedule_restart(ctx, Restart{n->data, group}, now);
    return std::nullopt;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    bool offered = false;
    for (const auto& p : ctx.config().ike_proposals)
      offered |= g && std::count(p.groups.begin(), p.groups.end(), static_cast<DhGroup>(*g)) > 0;
    if (restart || !g || !offered || *g == static_cast<uint16_t>(group) || invalid_ke_rounds >= kMaxInvalidKeRounds) {
      ignore_notify(ctx, *n, in, out);
      return std::nullopt;
    }
    ++invalid_ke_rounds;
    schedule_restart(ctx, Restart{std::nullopt, static_cast<DhGroup>(*g)}, now);
    return std::nullopt;
  }
  if (const auto* e = first_error(in)) {
    ignore_notify(ctx, *e, in, out);
    return std::nullopt;
  }
  if (validate_init(in) != Invalid::Ok || m.header.spi_r == 0) {
    ++ctx.counters().rx_invalid;
    return std::nullopt;  // keep retransmitting: this reply is not usable (could be forged)
  }
  // Unauthenticated too (2.21.1): a bad choice or KE value could be forged; keep waiting.
  const auto suite = validate_ike_choice(*in.sa, offer);
  if (!suite || suite->group != group || in.ke->group != static_cast<uint16_t>(group)) {
    ++ctx.counters().rx_invalid;
    ignore_answer(FailReason::NoProposalChosen, "unauthenticated answers choosing a proposal we did not offer",
                  ProposalMismatch{describe(offer), describe(*in.sa)});
    return std::nullopt;
  }
  auto g_ir = dh->derive(in.ke->data);
  if (!g_ir) {
    ++ctx.counters().rx_invalid;
    ignore_answer(FailReason::MessageRejected, "unauthenticated answers with an invalid KE public value", std::nullopt);
    return std::nullopt;
  }
  IkeSa& sa = *ctx.sas().ike;
  sa.spi_r = m.header.spi_r;
  sa.suite = *suite;
  sa.use_ppk = !ctx.config().ppk.keys.empty() && in.find_notify(NotifyType::UsePpk) != nullptr;
  InitTranscript t{ni, *in.nonce, request, std::vector<uint8_t>(msg.begin(), msg.end())};
  if (!derive_ike_keys(*suite, g_ir->view(), t.ni, t.nr, sa.spi_i, sa.spi_r, nullptr, suite->prf, sa.keys)) {
    ctx.fail(FailReason::InternalError, "key derivation failed", out);
    return std::nullopt;
  }
  ctx.nat().check(in, sa.spi_i, sa.spi_r, out);
  restart.reset();  // the current request was answered: a restart demand is moot
  return t;
}

void InitExchange::schedule_restart(ExchangeContext& ctx, Restart r, TimePoint now) {
  restart = std::move(r);
  // Act at the next retransmission, but no later than one base interval from now.
  Pending& p = *ctx.sas().ike->pending;
  p.next_retx = std::min(p.next_retx, now + ctx.config().timers.retransmit_base);
}

void InitExchange::restart_now(ExchangeContext& ctx, TimePoint now, Output& out) && {
  Restart r = std::move(*restart);
  restart.reset();
  if (r.cookie) {
    cookie = std::move(*r.cookie);
    out.events.emplace_back(CookieRetry{});
  }
  if (r.group != group) {
    group = r.group;
    out.events.emplace_back(InvalidKeRetry{group});
  }
  std::move(*this).send(ctx, now, out);
}

void InitExchange::ignore_notify(ExchangeContext& ctx, const NotifyPayload& n, const Payloads& in, Output& out) {
  ++ctx.counters().rx_untrusted_notify;
  const std::string what = std::string("unauthenticated ") + notify_name(n.type) + " notifies";
  switch (static_cast<NotifyType>(n.type)) {
    case NotifyType::NoProposalChosen:
      ignore_answer(FailReason::NoProposalChosen, what, ProposalMismatch{describe(offer), peer_offer_from(in)});
      break;
    case NotifyType::InvalidKePayload: ignore_answer(FailReason::InvalidKePayload, what, std::nullopt); break;
    default: ignore_answer(FailReason::PeerUnreachable, what, std::nullopt); break;
  }
  out.events.emplace_back(UntrustedNotify{n.type});
}

void InitExchange::fail_unanswered(ExchangeContext& ctx, uint32_t tries, Output& out) const {
  // ctx.fail ends the pending request, this unit with it: copy what the failure names first.
  std::string detail = "no answer from the peer after " + std::to_string(tries) + " tries";
  if (!ignored) {
    ctx.fail(FailReason::PeerUnreachable, detail, out);
    return;
  }
  // Only now may the ignored answer colour the reason, and still as a claim: it may be forged.
  IgnoredAnswer ig = *ignored;
  detail += "; the only answers were " + ig.what + " (not trusted, RFC 7296 2.21.1)";
  ctx.fail(ig.reason, detail, out, false, std::move(ig.proposals));
}

std::optional<InitTranscript> InitExchange::answer_request(ExchangeContext& ctx, std::span<const uint8_t> msg,
                                                           const Message& m, Output& out) {
  const Config& cfg = ctx.config();
  const Payloads& in = m.payloads;
  auto reject = [&](NotifyType t, std::span<const uint8_t> data, bool with_our_offer) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    if (with_our_offer) {
      const auto ours = build_ike_offer(cfg.ike_proposals, {});
      c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer), build_sa(ours)));
    }
    Header h;
    h.spi_i = m.header.spi_i;
    h.exchange = ExchangeType::IkeSaInit;
    h.flags = kFlagResponse;
    out.send.push_back(Datagram{build_plain_message(h, c), false});
  };
  if (validate_init(in) != Invalid::Ok) {
    ++ctx.counters().rx_invalid;
    reject(NotifyType::InvalidSyntax, {}, false);
    return std::nullopt;
  }
  Proposal chosen;
  const auto suite = select_ike(*in.sa, cfg.ike_proposals, chosen);
  if (!suite) {
    reject(NotifyType::NoProposalChosen, {}, true);
    ctx.fail(FailReason::NoProposalChosen, "no IKE proposal in common", out, false,
           ProposalMismatch{describe(build_ike_offer(cfg.ike_proposals, {})), describe(*in.sa)});
    return std::nullopt;
  }
  if (in.ke->group != static_cast<uint16_t>(suite->group)) {
    // RFC 7296 1.2: tell the initiator which group we want; keep no state.
    reject(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(suite->group)), false);
    return std::nullopt;
  }
  auto dh = DhKey::generate(suite->group);
  if (!dh) return std::nullopt;
  auto g_ir = dh->derive(in.ke->data);
  if (!g_ir) {
    reject(NotifyType::InvalidSyntax, {}, false);
    return std::nullopt;
  }
  ctx.sas().ike = std::make_unique<IkeSa>();
  IkeSa& sa = *ctx.sas().ike;
  sa.spi_i = m.header.spi_i;
  sa.spi_r = random_u64();
  sa.initiator = false;
  sa.suite = *suite;
  sa.use_ppk = !cfg.ppk.keys.empty() && in.find_notify(NotifyType::UsePpk) != nullptr;
  InitTranscript t;
  t.ni = *in.nonce;
  t.nr = random_vec(kNonceLen);
  if (!derive_ike_keys(*suite, g_ir->view(), t.ni, t.nr, sa.spi_i, sa.spi_r, nullptr, suite->prf, sa.keys)) {
    ctx.fail(FailReason::InternalError, "key derivation failed", out);
    return std::nullopt;
  }
  ctx.nat().check(in, sa.spi_i, 0, out);
  ChainBuilder c;
  chosen.spi.clear();
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(suite->group), dh->public_value()));
  c.add(PayloadType::Nonce, t.nr);
  ctx.nat().add_notifies(c, sa.spi_i, sa.spi_r);
  add_signature_hashes(cfg, c);
  if (sa.use_ppk) add_use_ppk(cfg, c);
  Header h;
  h.spi_i = sa.spi_i;
  h.spi_r = sa.spi_r;
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagResponse;
  t.request.assign(msg.begin(), msg.end());
  t.response = build_plain_message(h, c);
  sa.peer_next_mid = 1;
  ctx.handshake_sent(SessionState::InitSent);
  out.send.push_back(Datagram{t.response, false});
  return t;
}

}  // namespace linkcrypt::ike
