// The IKE_AUTH unit: build our AUTH and first child, process the answer, answer the peer's request (RFC 7296 1.2, 2.15, 2.21.2).
#include "ike_exchange_auth.h"

#include <openssl/crypto.h>

#include "ike_exchange_context.h"
#include "long_term_key.h"
#include "ike_session_util.h"
#include "ike_validate.h"

namespace linkcrypt::ike {

using namespace detail;

namespace {

Failed key_failed(const KeyResult& r) {
  Failed f;
  f.reason = FailReason::LongTermKeyUnavailable;
  f.detail = "our long-term key could not be used: " + r.detail;
  return f;
}

// Our ID, CERT and AUTH payloads; a failure of the long-term key comes back typed.
std::optional<Failed> build_our_auth(const Config& cfg, const PreparedAuth& auth, const IkeSa& sa, bool initiator,
                                     std::span<const uint8_t> real_message, std::span<const uint8_t> peer_nonce,
                                     ChainBuilder& c) {
  auto internal = [](std::string d) {
    Failed f;
    f.detail = std::move(d);
    return f;
  };
  const std::vector<uint8_t> id_body = build_id(static_cast<uint8_t>(cfg.local_id.type), cfg.local_id.data);
  c.add(initiator ? PayloadType::IdI : PayloadType::IdR, id_body);
  const SecretBytes& sk_p = initiator ? sa.keys.sk_pi : sa.keys.sk_pr;
  const auto octets = build_signed_octets(sa.suite.prf, real_message, peer_nonce, sk_p.view(), id_body);
  if (!octets) return internal("prf failed while building our AUTH payload");
  if (!auth.key) return internal("our private key is unusable");
  const KeyUseContext use{KeyPurpose::OurAuth, sa.spi_i, sa.spi_r, cfg.remote_id};
  if (cfg.auth.method == AuthMethod::Psk) {
    const KeyResult mac = auth.key->psk_auth(sa.suite.prf, *octets, use);
    if (!mac.ok()) return key_failed(mac);
    c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::SharedKeyMic), mac.bytes));
    return std::nullopt;
  }
  if (cfg.auth.method == AuthMethod::Certificate)
    c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::X509Signature), cfg.auth.local_cert_der));
  else
    c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::RawPublicKey), auth.key->public_key_der()));
  const KeyResult sig = auth.key->sign(*octets, use);
  if (!sig.ok()) return key_failed(sig);
  c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::DigitalSignature), sig.bytes));
  return std::nullopt;
}

std::optional<Failed> verify_peer_auth(const Config& cfg, const PreparedAuth& auth, const IkeSa& sa,
                                       bool peer_is_initiator, const Payloads& in, std::span<const uint8_t> real_message,
                                       std::span<const uint8_t> our_nonce, Identity& peer_id) {
  auto failed = [](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    return f;
  };
  const auto& id = peer_is_initiator ? in.idi : in.idr;
  if (!id || !in.auth) return failed(FailReason::MessageRejected, "IKE_AUTH without ID or AUTH payload");
  peer_id = Identity{static_cast<IdType>(id->id_type), id->data};
  if (cfg.remote_id && (static_cast<uint8_t>(cfg.remote_id->type) != id->id_type || cfg.remote_id->data != id->data))
    return failed(FailReason::PeerIdMismatch, "peer identity is not the configured remote identity");
  const SecretBytes& sk_p = peer_is_initiator ? sa.keys.sk_pi : sa.keys.sk_pr;
  const auto octets = build_signed_octets(sa.suite.prf, real_message, our_nonce, sk_p.view(), id->body);
  if (!octets) return failed(FailReason::InternalError, "prf failed");
  switch (cfg.auth.method) {
    case AuthMethod::Psk: {
      if (in.auth->method != static_cast<uint8_t>(AuthMethodId::SharedKeyMic))
        return failed(FailReason::AuthenticationFailed, "peer used auth method " + std::to_string(in.auth->method) +
                                                            ", we require shared key MIC");
      if (!auth.key) return failed(FailReason::InternalError, "no pre-shared key");
      const KeyResult want =
          auth.key->psk_auth(sa.suite.prf, *octets, KeyUseContext{KeyPurpose::VerifyPeerAuth, sa.spi_i, sa.spi_r, peer_id});
      if (!want.ok()) return key_failed(want);
      if (want.bytes.size() != in.auth->data.size() ||
          CRYPTO_memcmp(want.bytes.data(), in.auth->data.data(), want.bytes.size()) != 0)
        return failed(FailReason::AuthenticationFailed, "pre-shared key AUTH does not verify (wrong PSK?)");
      return std::nullopt;
    }
    case AuthMethod::RawPublicKey: {
      if (in.auth->method != static_cast<uint8_t>(AuthMethodId::DigitalSignature))
        return failed(FailReason::AuthenticationFailed, "peer did not use a digital signature");
      for (const auto& c : in.certs)
        if (c.encoding == static_cast<uint8_t>(CertEncoding::RawPublicKey) && c.data != cfg.auth.peer_public_key_der)
          return failed(FailReason::AuthenticationFailed, "peer presented a raw public key that is not the configured one");
      if (!auth.peer_key) return failed(FailReason::InternalError, "configured peer public key is unusable");
      if (!verify_signature(auth.peer_key.get(), in.auth->data, *octets))
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
      switch (verify_certificate(cert->data, cfg.auth.ca_cert_der, cfg.auth.cert_check_time, peer_id, key)) {
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

}  // namespace

void AuthExchange::start(ExchangeContext& ctx, InitTranscript init, TimePoint now, Output& out) {
  AuthExchange x;
  x.init = std::move(init);
  ChainBuilder c;
  if (auto f = build_our_auth(ctx.config(), ctx.auth(), *ctx.sas().ike, true, x.init.request, x.init.nr, c)) {
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  x.child_spi = random_u32();
  x.child_offer = build_child_offer(ctx.config().child, x.child_spi, false);
  c.add(PayloadType::Sa, build_sa(x.child_offer));
  add_ts(ctx.config(), c, nullptr, nullptr);
  add_sci(ctx.config(), c);
  ctx.send_request(*ctx.sas().ike, std::move(x), ExchangeType::IkeAuth, c, now, out);
  ctx.handshake_sent(SessionState::AuthSent);
}

void AuthExchange::answer_request(ExchangeContext& ctx, IkeSa& sa, const Message& m, const Payloads& in, Output& out) const {
  const Config& cfg = ctx.config();
  Identity peer_id;
  const uint32_t mid = m.header.message_id;
  if (const Invalid v = validate_auth(in, true); v != Invalid::Ok) {
    ++ctx.counters().rx_invalid;
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::InvalidSyntax, {}));
    ctx.send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    ctx.fail(FailReason::MessageRejected, std::string("IKE_AUTH request: ") + to_string(v), out);
    return;
  }
  if (auto f = verify_peer_auth(cfg, ctx.auth(), sa, true, in, init.request, init.nr, peer_id)) {
    // RFC 7296 2.21.2: an IKE_AUTH that fails authentication is answered with
    // AUTHENTICATION_FAILED, and the IKE SA is not created.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    ctx.send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  ChainBuilder c;
  if (auto f = build_our_auth(ctx.config(), ctx.auth(), sa, false, init.response, init.ni, c)) {
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  const uint32_t spi = random_u32();
  Proposal chosen;
  std::optional<ChildSuite> cs;
  if (in.sa && in.tsi && in.tsr) cs = select_child(*in.sa, ctx.config().child, false, chosen, spi);
  const NotifyPayload* sci = in.find_notify(NotifyType::MacsecSci);
  if (cs && cs->kind == ChildKind::Macsec && (sci == nullptr || sci->data.size() != 8)) cs.reset();
  if (!cs) {
    // RFC 7296 1.2: the IKE SA is still created; the child is refused with NO_PROPOSAL_CHOSEN.
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer),
                                            build_sa(build_child_offer(ctx.config().child, 0, false))));
    ctx.send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    ctx.mark_established();
    ctx.fail(FailReason::NoProposalChosen, "no child SA proposal in common", out, false,
         ProposalMismatch{describe(build_child_offer(ctx.config().child, 0, false)),
                          in.sa ? describe(*in.sa) : std::vector<std::string>{"(no SA payload)"}});
    return;
  }
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  if (sci != nullptr) ctx.sas().peer_sci = spi_u64(sci->data);
  c.add(PayloadType::Sa, build_sa({chosen}));
  add_ts(ctx.config(), c, &*in.tsi, &*in.tsr);
  add_sci(ctx.config(), c);
  ctx.send_response(sa, ExchangeType::IkeAuth, mid, c, out);
  ctx.mark_established();
  out.events.emplace_back(IkeUp{sa.spi_i, sa.spi_r, sa.suite.encr_key_bits, sa.suite.prf,
                                sa.suite.group, peer_id, ctx.nat().local_behind(), ctx.nat().remote_behind()});
  auto ev = ctx.sas().install_child(ctx.config(), *cs, spi, peer_spi, false, {}, init.ni, init.nr, nullptr);
  if (!ev) {
    ctx.fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  ctx.sas().children.back().ts_local = *in.tsr;
  ctx.sas().children.back().ts_remote = *in.tsi;
  out.events.emplace_back(std::move(*ev));
}

void AuthExchange::process_response(ExchangeContext& ctx, IkeSa& sa, const Payloads& in, Output& out) const {
  const Config& cfg = ctx.config();
  Identity peer_id;
  if (in.find_notify(NotifyType::AuthenticationFailed)) {
    ctx.fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (!in.auth) {
    const auto* e = first_error(in);
    ctx.fail(FailReason::MessageRejected,
         std::string("peer answered IKE_AUTH with ") + (e ? notify_name(e->type) : "no AUTH payload"), out, true);
    return;
  }
  if (auto f = verify_peer_auth(cfg, ctx.auth(), sa, false, in, init.response, init.ni, peer_id)) {
    // RFC 7296 2.21.2: report the failure in a separate INFORMATIONAL exchange.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    ctx.send_last_request(sa, ExchangeType::Informational, c, out);
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  ctx.mark_established();
  out.events.emplace_back(IkeUp{sa.spi_i, sa.spi_r, sa.suite.encr_key_bits, sa.suite.prf,
                                sa.suite.group, peer_id, ctx.nat().local_behind(), ctx.nat().remote_behind()});
  if (in.find_notify(NotifyType::NoProposalChosen) || !in.sa) {
    ctx.fail(FailReason::NoProposalChosen, "responder accepted none of our child SA proposals", out, true,
         ProposalMismatch{describe(child_offer), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    ctx.fail(e->type == static_cast<uint16_t>(NotifyType::TsUnacceptable) ? FailReason::TsUnacceptable
                                                                       : FailReason::MessageRejected,
         std::string("responder refused the child SA: ") + notify_name(e->type), out, true);
    return;
  }
  const auto cs = validate_child_choice(*in.sa, child_offer);
  const NotifyPayload* sci = in.find_notify(NotifyType::MacsecSci);
  if (!cs || cs->group || !in.tsi || !in.tsr || (cs->kind == ChildKind::Macsec && (!sci || sci->data.size() != 8))) {
    ctx.fail(FailReason::NoProposalChosen, "responder's child SA answer is not one we offered", out, false,
         ProposalMismatch{describe(child_offer), describe(*in.sa)});
    return;
  }
  if (sci != nullptr) ctx.sas().peer_sci = spi_u64(sci->data);
  auto ev = ctx.sas().install_child(ctx.config(), *cs, child_spi, spi_u32((*in.sa)[0].spi), true, {}, init.ni, init.nr, nullptr);
  if (!ev) {
    ctx.fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  ctx.sas().children.back().ts_local = *in.tsi;
  ctx.sas().children.back().ts_remote = *in.tsr;
  out.events.emplace_back(std::move(*ev));
}

}  // namespace linkcrypt::ike
