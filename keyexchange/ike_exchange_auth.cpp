// The IKE_AUTH unit: build our AUTH and first child, process the answer, answer the peer's request (RFC 7296 1.2, 2.15, 2.21.2).
#include "ike_exchange_auth.h"

#include <openssl/crypto.h>

#include "byte_reader.h"
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

// The data of our AUTH payload (RFC 7296 2.15) keyed with sk_p; a long-term key failure comes back typed.
std::optional<Failed> our_auth_data(const Config& cfg, const PreparedAuth& auth, const IkeSa& sa,
                                    std::span<const uint8_t> sk_p, std::span<const uint8_t> real_message,
                                    std::span<const uint8_t> peer_nonce, std::span<const uint8_t> id_body,
                                    std::vector<uint8_t>& data) {
  auto internal = [](std::string d) {
    Failed f;
    f.detail = std::move(d);
    return f;
  };
  const auto octets = build_signed_octets(sa.suite.prf, real_message, peer_nonce, sk_p, id_body);
  if (!octets) return internal("prf failed while building our AUTH payload");
  if (!auth.key) return internal("our private key is unusable");
  const KeyUseContext use{KeyPurpose::OurAuth, sa.spi_i, sa.spi_r, cfg.remote_id};
  const KeyResult r = cfg.auth.method == AuthMethod::Psk ? auth.key->psk_auth(sa.suite.prf, *octets, use)
                                                         : auth.key->sign(*octets, use);
  if (!r.ok()) return key_failed(r);
  data = r.bytes;
  return std::nullopt;
}

// Our ID, CERT and AUTH payloads. sk_p keys AUTH (PPK'd when a PPK is in use); no_ppk_sk_p,
// when set, also keys a NO_PPK_AUTH notify for a responder without our PPK (RFC 8784 3: its
// data is the AUTH payload's data computed with the original SK_pi, same method).
std::optional<Failed> build_our_auth(const Config& cfg, const PreparedAuth& auth, const IkeSa& sa, bool initiator,
                                     std::span<const uint8_t> real_message, std::span<const uint8_t> peer_nonce,
                                     const SecretBytes& sk_p, const SecretBytes* no_ppk_sk_p, ChainBuilder& c) {
  const std::vector<uint8_t> id_body = build_id(static_cast<uint8_t>(cfg.local_id.type), cfg.local_id.data);
  c.add(initiator ? PayloadType::IdI : PayloadType::IdR, id_body);
  std::vector<uint8_t> data;
  if (auto f = our_auth_data(cfg, auth, sa, sk_p.view(), real_message, peer_nonce, id_body, data)) return f;
  if (cfg.auth.method == AuthMethod::Psk) {
    c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::SharedKeyMic), data));
  } else {
    if (cfg.auth.method == AuthMethod::Certificate)
      c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::X509Signature), cfg.auth.local_cert_der));
    else
      c.add(PayloadType::Cert, build_cert(static_cast<uint8_t>(CertEncoding::RawPublicKey), auth.key->public_key_der()));
    c.add(PayloadType::Auth, build_auth(static_cast<uint8_t>(AuthMethodId::DigitalSignature), data));
  }
  if (no_ppk_sk_p != nullptr) {
    std::vector<uint8_t> plain;
    if (auto f = our_auth_data(cfg, auth, sa, no_ppk_sk_p->view(), real_message, peer_nonce, id_body, plain)) return f;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoPpkAuth, plain));
  }
  return std::nullopt;
}

// A PPK identity for a log line: printable ASCII as is, anything else as \xNN (it is the
// peer's untrusted bytes, and not a secret).
std::string printable_ppk_id(std::span<const uint8_t> id) {
  std::string s;
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t b : id.first(std::min<size_t>(id.size(), 64))) {
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      s += static_cast<char>(b);
    } else {
      s += "\\x";
      s += kHex[b >> 4];
      s += kHex[b & 15];
    }
  }
  if (id.size() > 64) s += "...";
  return s;
}

std::optional<Failed> verify_peer_auth(const Config& cfg, const PreparedAuth& auth, const IkeSa& sa,
                                       bool peer_is_initiator, const Payloads& in, std::span<const uint8_t> real_message,
                                       std::span<const uint8_t> our_nonce, const SecretBytes& sk_p,
                                       std::span<const uint8_t> auth_data, Identity& peer_id) {
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
      if (want.bytes.size() != auth_data.size() ||
          CRYPTO_memcmp(want.bytes.data(), auth_data.data(), want.bytes.size()) != 0)
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
      if (!verify_signature(auth.peer_key.get(), auth_data, *octets))
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
      if (!verify_signature(key.get(), auth_data, *octets))
        return failed(FailReason::AuthenticationFailed, "signature does not verify with the peer certificate's key");
      return std::nullopt;
    }
  }
  return failed(FailReason::InternalError, "unknown auth method");
}

}  // namespace

// Both ends' AUTH keys for one IKE_AUTH: the PPK'd ones when a PPK is in use (RFC 8784 3).
namespace {
IkeKeys clone_keys(const IkeKeys& k) {
  return IkeKeys{k.sk_d.clone(), k.sk_ei.clone(), k.sk_er.clone(), k.sk_pi.clone(), k.sk_pr.clone()};
}
}  // namespace

void AuthExchange::start(ExchangeContext& ctx, InitTranscript init, TimePoint now, Output& out) {
  const Config& cfg = ctx.config();
  IkeSa& sa = *ctx.sas().ike;
  AuthExchange x;
  x.init = std::move(init);
  const Ppk* ppk = nullptr;
  if (!cfg.ppk.keys.empty()) {
    if (!sa.use_ppk && cfg.ppk.required) {
      ctx.fail(FailReason::PpkRequired, "the peer did not answer USE_PPK in IKE_SA_INIT (it holds no PPK) and a PPK is required",
               out);
      return;
    }
    if (sa.use_ppk) ppk = &cfg.ppk.keys.front();
  }
  if (ppk != nullptr) {
    x.ppk_keys = std::make_shared<IkeKeys>(clone_keys(sa.keys));
    x.ppk_id = ppk->id;
    if (!apply_ppk(sa.suite.prf, ppk->key.view(), *x.ppk_keys)) {
      ctx.fail(FailReason::InternalError, "PPK key derivation failed", out);
      return;
    }
  }
  ChainBuilder c;
  const SecretBytes& sk_pi = x.ppk_keys ? x.ppk_keys->sk_pi : sa.keys.sk_pi;
  const SecretBytes* no_ppk = x.ppk_keys && !cfg.ppk.required ? &sa.keys.sk_pi : nullptr;
  if (auto f = build_our_auth(cfg, ctx.auth(), sa, true, x.init.request, x.init.nr, sk_pi, no_ppk, c)) {
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  if (ppk != nullptr) {
    std::vector<uint8_t> data{kPpkIdFixed};
    data.insert(data.end(), ppk->id.begin(), ppk->id.end());
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::PpkIdentity, data));
  }
  x.child_spi = random_u32();
  x.child_offer = build_child_offer(cfg.child, x.child_spi, false);
  c.add(PayloadType::Sa, build_sa(x.child_offer));
  add_ts(cfg, c, nullptr, nullptr);
  add_sci(cfg, c);
  ctx.send_request(sa, std::move(x), ExchangeType::IkeAuth, c, now, out);
  ctx.handshake_sent(SessionState::AuthSent);
}

namespace {

// The responder's PPK decision for the initiator's IKE_AUTH (RFC 8784 3).
struct PpkChoice {
  const Ppk* ppk = nullptr;                      // use it: AUTH is keyed with the PPK'd SK_pi
  std::span<const uint8_t> no_ppk_auth;          // fall back: verify this instead of AUTH
  bool fallback = false;                         // we hold a PPK, it is optional, and none is used
  std::optional<Failed> failed;                  // PpkRequired / PpkUnknown
};

PpkChoice choose_ppk(const Config& cfg, const IkeSa& sa, const Payloads& in) {
  PpkChoice ch;
  if (cfg.ppk.keys.empty()) return ch;
  auto fail = [&](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    ch.failed = std::move(f);
    return ch;
  };
  const NotifyPayload* id = in.find_notify(NotifyType::PpkIdentity);
  const NotifyPayload* no_ppk = in.find_notify(NotifyType::NoPpkAuth);
  if (!sa.use_ppk || id == nullptr) {
    if (cfg.ppk.required)
      return fail(FailReason::PpkRequired, sa.use_ppk ? "the peer sent no PPK_IDENTITY and a PPK is required"
                                                       : "the peer did not offer USE_PPK (it holds no PPK) and a PPK is required");
    ch.fallback = true;
    return ch;
  }
  // RFC 8784 3: PPK ID Type (1 octet), then the PPK ID (the rest, at least one octet).
  std::span<const uint8_t> name;
  ByteReader r(id->data);
  uint8_t type = 0;
  if (!r.read_u8(type) || (type != kPpkIdFixed && type != kPpkIdOpaque) || !r.read_bytes(r.remaining(), name))
    name = {};
  ch.ppk = name.empty() ? nullptr : cfg.ppk.find(name);
  if (ch.ppk != nullptr) return ch;
  if (cfg.ppk.required || no_ppk == nullptr) {
    std::string d = "the peer uses PPK identity ";
    if (name.empty()) {
      d += "(malformed)";
    } else {
      d += '\'';
      d += printable_ppk_id(name);
      d += '\'';
    }
    d += ", which we do not hold";
    d += cfg.ppk.required ? " (a PPK is required)" : " (and it sent no NO_PPK_AUTH)";
    return fail(FailReason::PpkUnknown, std::move(d));
  }
  ch.fallback = true;
  ch.no_ppk_auth = no_ppk->data;
  return ch;
}

}  // namespace

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
  auto auth_failed = [&](const Failed& f) {
    // RFC 7296 2.21.2: an IKE_AUTH that fails authentication is answered with
    // AUTHENTICATION_FAILED, and the IKE SA is not created.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    ctx.send_response(sa, ExchangeType::IkeAuth, mid, c, out);
    ctx.fail(f.reason, f.detail, out);
  };
  PpkChoice ppk = choose_ppk(cfg, sa, in);
  if (ppk.failed) {
    auth_failed(*ppk.failed);
    return;
  }
  IkeKeys ppk_keys;
  if (ppk.ppk != nullptr) {
    ppk_keys = clone_keys(sa.keys);
    if (!apply_ppk(sa.suite.prf, ppk.ppk->key.view(), ppk_keys)) {
      ctx.fail(FailReason::InternalError, "PPK key derivation failed", out);
      return;
    }
  }
  const SecretBytes& peer_sk_p = ppk.ppk != nullptr ? ppk_keys.sk_pi : sa.keys.sk_pi;
  const std::span<const uint8_t> peer_auth = ppk.no_ppk_auth.empty() ? std::span<const uint8_t>(in.auth->data) : ppk.no_ppk_auth;
  if (auto f = verify_peer_auth(cfg, ctx.auth(), sa, true, in, init.request, init.nr, peer_sk_p, peer_auth, peer_id)) {
    if (ppk.ppk != nullptr && f->reason == FailReason::AuthenticationFailed)
      f->detail += "; or the peer holds another value for PPK '" + ppk.ppk->id + "'";
    auth_failed(*f);
    return;
  }
  if (ppk.ppk != nullptr) {
    // RFC 8784 3: from here on the IKE SA runs on the PPK'd SK_d (children, rekeys) and our AUTH
    // is keyed with the PPK'd SK_pr; an empty PPK_IDENTITY tells the initiator we used it.
    sa.keys = std::move(ppk_keys);
    sa.ppk_id = ppk.ppk->id;
  }
  ChainBuilder c;
  if (auto f = build_our_auth(ctx.config(), ctx.auth(), sa, false, init.response, init.ni, sa.keys.sk_pr, nullptr, c)) {
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  if (ppk.ppk != nullptr) c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::PpkIdentity, {}));
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
  out.events.emplace_back(IkeUp{sa.spi_i, sa.spi_r, sa.suite.encr_key_bits, sa.suite.prf, sa.suite.group, peer_id,
                                ctx.nat().local_behind(), ctx.nat().remote_behind(), sa.ppk_id, ppk.fallback});
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
    ctx.fail(FailReason::AuthenticationFailed,
             ppk_keys ? "peer rejected our AUTH (AUTHENTICATION_FAILED): a wrong PSK, or the peer does not hold PPK '" +
                            ppk_id + "' or holds another value for it"
                      : std::string("peer rejected our AUTH (AUTHENTICATION_FAILED)"),
             out, true);
    return;
  }
  if (!in.auth) {
    const auto* e = first_error(in);
    ctx.fail(FailReason::MessageRejected,
         std::string("peer answered IKE_AUTH with ") + (e ? notify_name(e->type) : "no AUTH payload"), out, true);
    return;
  }
  // RFC 8784 3: an empty PPK_IDENTITY in the answer says the responder used our PPK; without
  // it (only possible when ours is optional: we sent NO_PPK_AUTH) the SA keeps its keys.
  const bool peer_used_ppk = ppk_keys && in.find_notify(NotifyType::PpkIdentity) != nullptr;
  const bool fallback = !cfg.ppk.keys.empty() && !peer_used_ppk;
  if (fallback && cfg.ppk.required) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    ctx.send_last_request(sa, ExchangeType::Informational, c, out);
    ctx.fail(FailReason::PpkRequired, "the responder did not use our PPK '" + ppk_id + "' and a PPK is required", out);
    return;
  }
  const SecretBytes& peer_sk_p = peer_used_ppk ? ppk_keys->sk_pr : sa.keys.sk_pr;
  if (auto f = verify_peer_auth(cfg, ctx.auth(), sa, false, in, init.response, init.ni, peer_sk_p, in.auth->data,
                                peer_id)) {
    // RFC 7296 2.21.2: report the failure in a separate INFORMATIONAL exchange.
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::AuthenticationFailed, {}));
    ctx.send_last_request(sa, ExchangeType::Informational, c, out);
    ctx.fail(f->reason, f->detail, out);
    return;
  }
  if (peer_used_ppk) {
    sa.keys = clone_keys(*ppk_keys);  // children and IKE rekeys derive from the PPK'd SK_d
    sa.ppk_id = ppk_id;
  }
  ctx.mark_established();
  out.events.emplace_back(IkeUp{sa.spi_i, sa.spi_r, sa.suite.encr_key_bits, sa.suite.prf, sa.suite.group, peer_id,
                                ctx.nat().local_behind(), ctx.nat().remote_behind(), sa.ppk_id, fallback});
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
