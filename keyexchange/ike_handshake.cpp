// IKE_SA_INIT and IKE_AUTH for both roles: proposals, cookies, INVALID_KE, AUTH (RFC 7296 1.2, 2.6, 2.15).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- IKE_SA_INIT -----------------------------------------------------------------------------

Output SessionImpl::start(TimePoint now) {
  Output out;
  if (state_ != SessionState::Idle || role_ != Role::Initiator) return out;
  created_ = now;
  last_rx_ = now;
  send_init(now, out);
  return out;
}

void SessionImpl::send_init(TimePoint now, Output& out) {
  if (!ike_) {
    ike_ = std::make_unique<IkeSa>();
    ike_->spi_i = random_u64();
    ike_->initiator = true;
    ike_offer_ = build_ike_offer(cfg_->ike_proposals, {});
    if (cfg_->ike_proposals.empty() || cfg_->ike_proposals[0].groups.empty()) {
      fail(FailReason::InternalError, "no IKE proposal configured", out);
      return;
    }
    ke_group_ = cfg_->ike_proposals[0].groups[0];
    ni_ = random_vec(kNonceLen);
  }
  // RFC 7296 2.6: a retry with a cookie keeps every other payload, our KE value included.
  if (!dh_ || dh_->group() != ke_group_) dh_ = DhKey::generate(ke_group_);
  if (!dh_) {
    fail(FailReason::InternalError, "key generation failed", out);
    return;
  }
  ChainBuilder c;
  // RFC 7296 2.6: the COOKIE notify is the first payload of the retried request.
  if (!cookie_.empty()) c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::Cookie, cookie_));
  c.add(PayloadType::Sa, build_sa(ike_offer_));
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(ke_group_), dh_->public_value()));
  c.add(PayloadType::Nonce, ni_);
  add_nat_notifies(c, ike_->spi_i, 0);
  if (cfg_->auth.method != AuthMethod::Psk) {
    // RFC 7427 4: SHA2-256 (2) and Identity (5, for Ed25519, RFC 8420).
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::SignatureHashAlgorithms, std::vector<uint8_t>{0, 2, 0, 5}));
  }
  Header h;
  h.spi_i = ike_->spi_i;
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagInitiator;
  init_request_ = build_plain_message(h, c);
  Pending p(InitRequest{});
  p.bytes = init_request_;
  p.interval = cfg_->timers.retransmit_base;
  p.next_retx = now + p.interval;
  ike_->pending = std::move(p);
  ike_->next_mid = 1;
  state_ = SessionState::InitSent;
  emit_send(init_request_, out);
}

bool SessionImpl::on_init_request(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  created_ = now;
  last_rx_ = now;
  const Payloads& in = m.payloads;
  auto reject = [&](NotifyType t, std::span<const uint8_t> data, const Proposal* offer_sa) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    if (offer_sa != nullptr) {
      const auto ours = build_ike_offer(cfg_->ike_proposals, {});
      c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer), build_sa(ours)));
    }
    Header h;
    h.spi_i = m.header.spi_i;
    h.exchange = ExchangeType::IkeSaInit;
    h.flags = kFlagResponse;
    out.send.push_back(Datagram{build_plain_message(h, c), false});
  };
  if (validate_init(in) != Invalid::Ok) {
    ++counters_.rx_invalid;
    reject(NotifyType::InvalidSyntax, {}, nullptr);
    return false;
  }
  Proposal chosen;
  const auto suite = select_ike(*in.sa, cfg_->ike_proposals, chosen);
  if (!suite) {
    Proposal dummy;
    reject(NotifyType::NoProposalChosen, {}, &dummy);
    fail(FailReason::NoProposalChosen, "no IKE proposal in common", out, false,
         ProposalMismatch{describe(build_ike_offer(cfg_->ike_proposals, {})), describe(*in.sa)});
    return false;
  }
  if (in.ke->group != static_cast<uint16_t>(suite->group)) {
    // RFC 7296 1.2: tell the initiator which group we want; keep no state.
    reject(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(suite->group)), nullptr);
    return false;
  }
  dh_ = DhKey::generate(suite->group);
  if (!dh_) return false;
  auto g_ir = dh_->derive(in.ke->data);
  if (!g_ir) {
    reject(NotifyType::InvalidSyntax, {}, nullptr);
    return false;
  }
  ike_ = std::make_unique<IkeSa>();
  ike_->spi_i = m.header.spi_i;
  ike_->spi_r = random_u64();
  ike_->initiator = false;
  ike_->suite = *suite;
  ni_ = *in.nonce;
  nr_ = random_vec(kNonceLen);
  if (!derive_ike_keys(*suite, g_ir->view(), ni_, nr_, ike_->spi_i, ike_->spi_r, nullptr, suite->prf, ike_->keys)) {
    fail(FailReason::InternalError, "key derivation failed", out);
    return false;
  }
  check_nat(in, ike_->spi_i, 0, out);
  ChainBuilder c;
  chosen.spi.clear();
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(suite->group), dh_->public_value()));
  c.add(PayloadType::Nonce, nr_);
  add_nat_notifies(c, ike_->spi_i, ike_->spi_r);
  if (cfg_->auth.method != AuthMethod::Psk)
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::SignatureHashAlgorithms, std::vector<uint8_t>{0, 2, 0, 5}));
  Header h;
  h.spi_i = ike_->spi_i;
  h.spi_r = ike_->spi_r;
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagResponse;
  init_request_.assign(msg.begin(), msg.end());
  init_response_ = build_plain_message(h, c);
  ike_->peer_next_mid = 1;
  state_ = SessionState::InitSent;
  init_cache_ = std::make_shared<InitReplyCache>(InitReplyCache{ike_->spi_i, init_request_, init_response_});
  out.send.push_back(Datagram{init_response_, false});
  return true;
}

void SessionImpl::on_init_response(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  const Payloads& in = m.payloads;
  // RFC 7296 2.21.1: nothing in an IKE_SA_INIT response is authenticated, so no notify in it may
  // end the attempt. Error notifies are counted and ignored: the request stays pending and is
  // retransmitted as usual until a genuine answer arrives or the retransmissions run out.
  // COOKIE (2.6) and INVALID_KE_PAYLOAD (1.2) are acted on, a bounded number of times, and only
  // when the current request's retransmission falls due: a genuine answer to the current
  // request arriving meanwhile still wins over a forged demand to restart.
  if (const auto* n = in.find_notify(NotifyType::Cookie)) {
    if (init_restart_ || cookie_rounds_ >= kMaxCookieRounds || n->data.empty() || n->data.size() > 64) {
      ignore_init_notify(*n, in, out);
      return;
    }
    ++cookie_rounds_;
    schedule_init_restart(InitRestart{n->data, ke_group_}, now);
    return;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    bool offered = false;
    for (const auto& p : cfg_->ike_proposals)
      offered |= g && std::count(p.groups.begin(), p.groups.end(), static_cast<DhGroup>(*g)) > 0;
    if (init_restart_ || !g || !offered || *g == static_cast<uint16_t>(ke_group_) ||
        invalid_ke_rounds_ >= kMaxInvalidKeRounds) {
      ignore_init_notify(*n, in, out);
      return;
    }
    ++invalid_ke_rounds_;
    schedule_init_restart(InitRestart{std::nullopt, static_cast<DhGroup>(*g)}, now);
    return;
  }
  if (const auto* e = first_error(in)) {
    ignore_init_notify(*e, in, out);
    return;
  }
  if (validate_init(in) != Invalid::Ok || m.header.spi_r == 0) {
    ++counters_.rx_invalid;
    return;  // keep retransmitting: this reply is not usable (could be forged)
  }
  // Unauthenticated too (2.21.1): a bad choice or KE value could be forged; keep waiting.
  const auto suite = validate_ike_choice(*in.sa, ike_offer_);
  if (!suite || suite->group != ke_group_ || in.ke->group != static_cast<uint16_t>(ke_group_)) {
    ++counters_.rx_invalid;
    ignore_init_answer(FailReason::NoProposalChosen, "unauthenticated answers choosing a proposal we did not offer",
                       ProposalMismatch{describe(ike_offer_), describe(*in.sa)});
    return;
  }
  auto g_ir = dh_->derive(in.ke->data);
  if (!g_ir) {
    ++counters_.rx_invalid;
    ignore_init_answer(FailReason::MessageRejected, "unauthenticated answers with an invalid KE public value",
                       std::nullopt);
    return;
  }
  ike_->spi_r = m.header.spi_r;
  ike_->suite = *suite;
  nr_ = *in.nonce;
  if (!derive_ike_keys(*suite, g_ir->view(), ni_, nr_, ike_->spi_i, ike_->spi_r, nullptr, suite->prf, ike_->keys)) {
    fail(FailReason::InternalError, "key derivation failed", out);
    return;
  }
  init_response_.assign(msg.begin(), msg.end());
  check_nat(in, ike_->spi_i, ike_->spi_r, out);
  ike_->pending.reset();
  init_restart_.reset();  // the current request was answered: a restart demand is moot
  last_rx_ = now;
  send_auth(now, out);
}

void SessionImpl::schedule_init_restart(InitRestart r, TimePoint now) {
  init_restart_ = std::move(r);
  // Act at the next retransmission, but no later than one base interval from now.
  Pending& p = *ike_->pending;
  p.next_retx = std::min(p.next_retx, now + cfg_->timers.retransmit_base);
}

void SessionImpl::restart_init(TimePoint now, Output& out) {
  InitRestart r = std::move(*init_restart_);
  init_restart_.reset();
  if (r.cookie) {
    cookie_ = std::move(*r.cookie);
    out.events.emplace_back(CookieRetry{});
  }
  if (r.group != ke_group_) {
    ke_group_ = r.group;
    out.events.emplace_back(InvalidKeRetry{ke_group_});
  }
  ike_->pending.reset();
  send_init(now, out);
}

void SessionImpl::ignore_init_answer(FailReason r, std::string what, std::optional<ProposalMismatch> props) {
  ignored_init_answer_ = IgnoredInitAnswer{r, std::move(what), std::move(props)};
}

void SessionImpl::ignore_init_notify(const NotifyPayload& n, const Payloads& in, Output& out) {
  ++counters_.rx_untrusted_notify;
  const std::string what = std::string("unauthenticated ") + notify_name(n.type) + " notifies";
  switch (static_cast<NotifyType>(n.type)) {
    case NotifyType::NoProposalChosen:
      ignore_init_answer(FailReason::NoProposalChosen, what, ProposalMismatch{describe(ike_offer_), peer_offer_from(in)});
      break;
    case NotifyType::InvalidKePayload: ignore_init_answer(FailReason::InvalidKePayload, what, std::nullopt); break;
    default: ignore_init_answer(FailReason::PeerUnreachable, what, std::nullopt); break;
  }
  out.events.emplace_back(UntrustedNotify{n.type});
}

void SessionImpl::fail_init_unanswered(uint32_t tries, Output& out) {
  std::string detail = "no answer from the peer after " + std::to_string(tries) + " tries";
  if (!ignored_init_answer_) {
    fail(FailReason::PeerUnreachable, detail, out);
    return;
  }
  // Only now may the ignored answer colour the reason, and still as a claim: it may be forged.
  auto& ig = *ignored_init_answer_;
  detail += "; the only answers were " + ig.what + " (not trusted, RFC 7296 2.21.1)";
  fail(ig.reason, detail, out, false, std::move(ig.proposals));
}

// ---- IKE_AUTH --------------------------------------------------------------------------------

bool SessionImpl::build_our_auth(bool initiator, std::span<const uint8_t> real_message,
                                 std::span<const uint8_t> peer_nonce, ChainBuilder& c, std::vector<uint8_t>& id_body) {
  id_body = build_id(static_cast<uint8_t>(cfg_->local_id.type), cfg_->local_id.data);
  c.add(initiator ? PayloadType::IdI : PayloadType::IdR, id_body);
  const SecretBytes& sk_p = initiator ? ike_->keys.sk_pi : ike_->keys.sk_pr;
  const auto octets = build_signed_octets(ike_->suite.prf, real_message, peer_nonce, sk_p.view(), id_body);
  if (!octets) return false;
  if (cfg_->auth.method == AuthMethod::Psk) {
    const auto mac = build_psk_auth(ike_->suite.prf, cfg_->auth.psk.view(), *octets);
    if (!mac) return false;
    c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::SharedKeyMic), *mac));
    return true;
  }
  if (!auth_->signer) return false;
  if (cfg_->auth.method == AuthMethod::Certificate)
    c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::X509Signature), cfg_->auth.local_cert_der));
  else
    c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::RawPublicKey), auth_->signer->public_key_der()));
  const auto sig = auth_->signer->sign(*octets);
  if (!sig) return false;
  c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::DigitalSignature), *sig));
  return true;
}

std::optional<Failed> SessionImpl::verify_peer_auth(bool peer_is_initiator, const Payloads& in,
                                                    std::span<const uint8_t> real_message,
                                                    std::span<const uint8_t> our_nonce) {
  auto failed = [](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    return f;
  };
  const auto& id = peer_is_initiator ? in.idi : in.idr;
  if (!id || !in.auth) return failed(FailReason::MessageRejected, "IKE_AUTH without ID or AUTH payload");
  peer_id_ = Identity{static_cast<IdType>(id->id_type), id->data};
  if (cfg_->remote_id && (static_cast<uint8_t>(cfg_->remote_id->type) != id->id_type || cfg_->remote_id->data != id->data))
    return failed(FailReason::PeerIdMismatch, "peer identity is not the configured remote identity");
  const SecretBytes& sk_p = peer_is_initiator ? ike_->keys.sk_pi : ike_->keys.sk_pr;
  const auto octets = build_signed_octets(ike_->suite.prf, real_message, our_nonce, sk_p.view(), id->body);
  if (!octets) return failed(FailReason::InternalError, "prf failed");
  switch (cfg_->auth.method) {
    case AuthMethod::Psk: {
      if (in.auth->method != static_cast<uint8_t>(AuthMethodId::SharedKeyMic))
        return failed(FailReason::AuthenticationFailed, "peer used auth method " + std::to_string(in.auth->method) +
                                                            ", we require shared key MIC");
      const auto want = build_psk_auth(ike_->suite.prf, cfg_->auth.psk.view(), *octets);
      if (!want || want->size() != in.auth->data.size() ||
          CRYPTO_memcmp(want->data(), in.auth->data.data(), want->size()) != 0)
        return failed(FailReason::AuthenticationFailed, "pre-shared key AUTH does not verify (wrong PSK?)");
      return std::nullopt;
    }
    case AuthMethod::RawPublicKey: {
      if (in.auth->method != static_cast<uint8_t>(AuthMethodId::DigitalSignature))
        return failed(FailReason::AuthenticationFailed, "peer did not use a digital signature");
      for (const auto& c : in.certs)
        if (c.encoding == static_cast<uint8_t>(CertEncoding::RawPublicKey) && c.data != cfg_->auth.peer_public_key_der)
          return failed(FailReason::AuthenticationFailed, "peer presented a raw public key that is not the configured one");
      if (!auth_->peer_key) return failed(FailReason::InternalError, "configured peer public key is unusable");
      if (!verify_signature(auth_->peer_key.get(), in.auth->data, *octets))
        return failed(FailReason::AuthenticationFailed, "signature does not verify with the configured public key");
      return std::nullopt;
    }
    case AuthMethod::Certificate: {
      if (in.auth->method != static_cast<uint8_t>(AuthMethodId::DigitalSignature))
        return failed(FailReason::AuthenticationFailed, "peer did not use a digital signature");
      const CertPayload* cert = nullptr;
      for (const auto& c : in.certs)
        if (c.encoding == static_cast<uint8_t>(CertEncoding::X509Signature)) cert = &c;
      if (cert == nullptr) return failed(FailReason::AuthenticationFailed, "peer sent no X.509 certificate");
      EvpPkeyPtr key;
      switch (verify_certificate(cert->data, cfg_->auth.ca_cert_der, cfg_->auth.cert_check_time, peer_id_, key)) {
        case CertCheck::Ok: break;
        case CertCheck::Expired:
          return failed(FailReason::CertificateExpired, "peer certificate is expired or not yet valid");
        case CertCheck::Untrusted:
          return failed(FailReason::CertificateUntrusted, "peer certificate does not chain to the configured CA");
        case CertCheck::BadEncoding:
          return failed(FailReason::AuthenticationFailed, "peer certificate is malformed or has an unsupported key");
        case CertCheck::IdMismatch:
          return failed(FailReason::PeerIdMismatch, "peer certificate does not name the peer's ID");
      }
      if (!verify_signature(key.get(), in.auth->data, *octets))
        return failed(FailReason::AuthenticationFailed, "signature does not verify with the peer certificate's key");
      return std::nullopt;
    }
  }
  return failed(FailReason::InternalError, "unknown auth method");
}

void SessionImpl::send_auth(TimePoint now, Output& out) {
  ChainBuilder c;
  std::vector<uint8_t> id_body;
  if (!build_our_auth(true, init_request_, nr_, c, id_body)) {
    fail(FailReason::InternalError, "could not build our AUTH payload (key unusable?)", out);
    return;
  }
  auth_child_spi_ = random_u32();
  auth_child_offer_ = build_child_offer(cfg_->child, auth_child_spi_, false);
  c.add(PayloadType::Sa, build_sa(auth_child_offer_));
  add_ts(c, nullptr, nullptr);
  add_sci(c);
  send_request(*ike_, AuthRequest{}, ExchangeType::IkeAuth, c, now, out);
  state_ = SessionState::AuthSent;
}

void SessionImpl::on_auth_request(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out) {
  (void)now;
  const uint32_t mid = m.header.message_id;
  if (const Invalid v = validate_auth(in, true); v != Invalid::Ok) {
    ++counters_.rx_invalid;
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::InvalidSyntax, {}));
    send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    fail(FailReason::MessageRejected, std::string("IKE_AUTH request: ") + to_string(v), out);
    return;
  }
  if (auto f = verify_peer_auth(true, in, init_request_, nr_)) {
    // RFC 7296 2.21.2: an IKE_AUTH that fails authentication is answered with
    // AUTHENTICATION_FAILED, and the IKE SA is not created.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    fail(f->reason, f->detail, out);
    return;
  }
  ChainBuilder c;
  std::vector<uint8_t> id_body;
  if (!build_our_auth(false, init_response_, ni_, c, id_body)) {
    fail(FailReason::InternalError, "could not build our AUTH payload", out);
    return;
  }
  const uint32_t spi = random_u32();
  Proposal chosen;
  std::optional<ChildSuite> cs;
  if (in.sa && in.tsi && in.tsr) cs = select_child(*in.sa, cfg_->child, false, chosen, spi);
  const NotifyPayload* sci = in.find_notify(NotifyType::MacsecSci);
  if (cs && cs->kind == ChildKind::Macsec && (sci == nullptr || sci->data.size() != 8)) cs.reset();
  if (!cs) {
    // RFC 7296 1.2: the IKE SA is still created; the child is refused with NO_PROPOSAL_CHOSEN.
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer),
                                            build_sa(build_child_offer(cfg_->child, 0, false))));
    send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    mark_established();
    fail(FailReason::NoProposalChosen, "no child SA proposal in common", out, false,
         ProposalMismatch{describe(build_child_offer(cfg_->child, 0, false)),
                          in.sa ? describe(*in.sa) : std::vector<std::string>{"(no SA payload)"}});
    return;
  }
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  if (sci != nullptr) peer_sci_ = spi_u64(sci->data);
  c.add(PayloadType::Sa, build_sa({chosen}));
  add_ts(c, &*in.tsi, &*in.tsr);
  add_sci(c);
  send_response(sa, ExchangeType::IkeAuth, mid, c, out);
  mark_established();
  out.events.emplace_back(IkeUp{ike_->spi_i, ike_->spi_r, ike_->suite.encr_key_bits, ike_->suite.prf,
                                ike_->suite.group, peer_id_, nat_local_, nat_remote_});
  auto ev = install_child(*cs, spi, peer_spi, false, {}, ni_, nr_, nullptr);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  children_.back().ts_local = *in.tsr;
  children_.back().ts_remote = *in.tsi;
  out.events.emplace_back(std::move(*ev));
}

void SessionImpl::on_auth_response(IkeSa& sa, const Payloads& in, TimePoint now, Output& out) {
  if (in.find_notify(NotifyType::AuthenticationFailed)) {
    fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (!in.auth) {
    const auto* e = first_error(in);
    fail(FailReason::MessageRejected,
         std::string("peer answered IKE_AUTH with ") + (e ? notify_name(e->type) : "no AUTH payload"), out, true);
    return;
  }
  if (auto f = verify_peer_auth(false, in, init_response_, ni_)) {
    // RFC 7296 2.21.2: report the failure in a separate INFORMATIONAL exchange.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    send_request(sa, NotifyErrorRequest{}, ExchangeType::Informational, c, now, out);
    fail(f->reason, f->detail, out);
    return;
  }
  mark_established();
  out.events.emplace_back(IkeUp{ike_->spi_i, ike_->spi_r, ike_->suite.encr_key_bits, ike_->suite.prf,
                                ike_->suite.group, peer_id_, nat_local_, nat_remote_});
  if (in.find_notify(NotifyType::NoProposalChosen) || !in.sa) {
    fail(FailReason::NoProposalChosen, "responder accepted none of our child SA proposals", out, true,
         ProposalMismatch{describe(auth_child_offer_), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    fail(e->type == static_cast<uint16_t>(NotifyType::TsUnacceptable) ? FailReason::TsUnacceptable
                                                                       : FailReason::MessageRejected,
         std::string("responder refused the child SA: ") + notify_name(e->type), out, true);
    return;
  }
  const auto cs = validate_child_choice(*in.sa, auth_child_offer_);
  const NotifyPayload* sci = in.find_notify(NotifyType::MacsecSci);
  if (!cs || cs->group || !in.tsi || !in.tsr || (cs->kind == ChildKind::Macsec && (!sci || sci->data.size() != 8))) {
    fail(FailReason::NoProposalChosen, "responder's child SA answer is not one we offered", out, false,
         ProposalMismatch{describe(auth_child_offer_), describe(*in.sa)});
    return;
  }
  if (sci != nullptr) peer_sci_ = spi_u64(sci->data);
  auto ev = install_child(*cs, auth_child_spi_, spi_u32((*in.sa)[0].spi), true, {}, ni_, nr_, nullptr);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  children_.back().ts_local = *in.tsi;
  children_.back().ts_remote = *in.tsr;
  out.events.emplace_back(std::move(*ev));
}

}  // namespace linkcrypt::ike
