// IKE_AUTH for both roles, and the session's entries into IKE_SA_INIT (ike_exchange_init.cpp) (RFC 7296 1.2, 2.15).
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
  InitExchange::start(*this, now, out);
  return out;
}

bool SessionImpl::on_init_request(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  auto t = InitExchange::answer_request(*this, msg, m, now, out);
  if (!t) return false;
  handshake_ = std::move(*t);
  return true;
}

void SessionImpl::on_init_response(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  auto t = std::get<InitExchange>(ike_->pending->req).process_response(*this, msg, m, now, out);
  if (!t) return;
  handshake_ = std::move(*t);
  ike_->pending.reset();
  last_rx_ = now;
  send_auth(now, out);
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
  if (!build_our_auth(true, handshake_.request, handshake_.nr, c, id_body)) {
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
  if (auto f = verify_peer_auth(true, in, handshake_.request, handshake_.nr)) {
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
  if (!build_our_auth(false, handshake_.response, handshake_.ni, c, id_body)) {
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
  auto ev = install_child(*cs, spi, peer_spi, false, {}, handshake_.ni, handshake_.nr, nullptr);
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
  if (auto f = verify_peer_auth(false, in, handshake_.response, handshake_.ni)) {
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
  auto ev = install_child(*cs, auth_child_spi_, spi_u32((*in.sa)[0].spi), true, {}, handshake_.ni, handshake_.nr, nullptr);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  children_.back().ts_local = *in.tsi;
  children_.back().ts_remote = *in.tsr;
  out.events.emplace_back(std::move(*ev));
}

}  // namespace linkcrypt::ike
