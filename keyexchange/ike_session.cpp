// The IKEv2 state machine of one peer: handshake, child/IKE rekey, delete, liveness (RFC 7296 1-2).
#include "ike_session.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"

namespace linkcrypt::ike {

namespace {

constexpr size_t kNonceLen = 32;
constexpr size_t kMinNonceLen = 16;   // RFC 7296 2.10
constexpr size_t kMaxNonceLen = 256;
constexpr uint32_t kMaxInitRetries = 4;

std::vector<uint8_t> random_vec(size_t n) {
  std::vector<uint8_t> v(n);
  if (!random_bytes(v)) std::abort();  // no CSPRNG: nothing safe to do
  return v;
}

bool nonce_ok(const std::optional<std::vector<uint8_t>>& n) {
  return n && n->size() >= kMinNonceLen && n->size() <= kMaxNonceLen;
}

std::vector<uint8_t> u16_bytes(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

std::optional<uint16_t> notify_u16(const NotifyPayload& n) {
  ByteReader r(n.data);
  uint16_t v = 0;
  if (!r.read_u16(v) || !r.empty()) return std::nullopt;
  return v;
}

// RFC 7296 2.8.1: nonces are compared as byte strings; the lowest names the redundant SA.
bool nonce_less(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

const char* notify_name(uint16_t t) {
  switch (static_cast<NotifyType>(t)) {
    case NotifyType::UnsupportedCriticalPayload: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case NotifyType::InvalidIkeSpi: return "INVALID_IKE_SPI";
    case NotifyType::InvalidMajorVersion: return "INVALID_MAJOR_VERSION";
    case NotifyType::InvalidSyntax: return "INVALID_SYNTAX";
    case NotifyType::InvalidMessageId: return "INVALID_MESSAGE_ID";
    case NotifyType::InvalidSpi: return "INVALID_SPI";
    case NotifyType::NoProposalChosen: return "NO_PROPOSAL_CHOSEN";
    case NotifyType::InvalidKePayload: return "INVALID_KE_PAYLOAD";
    case NotifyType::AuthenticationFailed: return "AUTHENTICATION_FAILED";
    case NotifyType::TsUnacceptable: return "TS_UNACCEPTABLE";
    case NotifyType::TemporaryFailure: return "TEMPORARY_FAILURE";
    case NotifyType::ChildSaNotFound: return "CHILD_SA_NOT_FOUND";
    case NotifyType::NoAdditionalSas: return "NO_ADDITIONAL_SAS";
    default: return "error notify";
  }
}

// First error-type notify (types below 16384, RFC 7296 3.10.1), if any.
const NotifyPayload* first_error(const Payloads& p) {
  for (const auto& n : p.notifies)
    if (n.type < 16384) return &n;
  return nullptr;
}

// Private-use status notify 40961 carrying the sender's acceptable SA payload, sent beside
// NO_PROPOSAL_CHOSEN so the operator on the other side sees both offers (docs/protocol.md).
constexpr uint16_t kNotifyOurOffer = 40961;

std::vector<std::string> peer_offer_from(const Payloads& p) {
  for (const auto& n : p.notifies) {
    if (n.type != kNotifyOurOffer) continue;
    std::vector<Proposal> props;
    if (parse_sa(n.data, props) == ParseError::Ok) return describe(props);
    return {"(unparsable offer)"};
  }
  return {"(peer did not say)"};
}

}  // namespace

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
  if (cfg->auth.method != AuthMethod::Psk) p->signer = SigningKey::from_pem(cfg->auth.private_key_pem.view());
  if (cfg->auth.method == AuthMethod::RawPublicKey) p->peer_key = parse_public_key_der(cfg->auth.peer_public_key_der);
  std::erase_if(cache, [](const Entry& e) { return e.cfg.expired(); });
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back(Entry{cfg, p});
  return p;
}

SessionImpl::SessionImpl(std::shared_ptr<const Config> cfg, Role role, Endpoint remote)
    : cfg_(std::move(cfg)), role_(role), local_(cfg_->local), remote_(std::move(remote)), auth_(prepare_auth(cfg_)) {}

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
  if (ike_) ike_->pending.reset();
  for (auto& r : retiring_) r->pending.reset();
  queue_.clear();
  retry_at_.reset();
  if (half_open_counted_ && half_open_) --half_open_->count;
  half_open_counted_ = false;
}

// ---- message plumbing ------------------------------------------------------------------------

std::vector<uint8_t> SessionImpl::seal(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid,
                                       const ChainBuilder& inner) {
  ByteWriter pt;
  inner.write(pt);
  pt.put_u8(0);  // Pad Length (RFC 7296 3.14); GCM needs no padding
  Header h;
  h.spi_i = sa.spi_i;
  h.spi_r = sa.spi_r;
  h.next_payload = PayloadType::Sk;
  h.exchange = ex;
  h.flags = static_cast<uint8_t>((sa.initiator ? kFlagInitiator : 0) | (response ? kFlagResponse : 0));
  h.message_id = mid;
  ByteWriter w;
  write_header(w, h);
  w.put_u8(static_cast<uint8_t>(inner.first()));
  w.put_u8(0);
  w.put_u16(static_cast<uint16_t>(kGenericHeaderLen + kGcmIvLen + pt.size() + kGcmIcvLen));
  w.patch_u32(24, static_cast<uint32_t>(w.size() + kGcmIvLen + pt.size() + kGcmIcvLen));
  // RFC 5282 5.1: AAD = IKE header .. SK generic header. The explicit IV is a per-SA counter,
  // so it never repeats under one key (RFC 5282 3.1).
  std::vector<uint8_t> aad(w.view().begin(), w.view().end());
  std::array<uint8_t, kGcmIvLen> iv{};
  const uint64_t ctr = sa.iv_counter++;
  for (size_t i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(ctr >> (56 - 8 * i));
  std::vector<uint8_t> out = w.take();
  out.insert(out.end(), iv.begin(), iv.end());
  const SecretBytes& key = sa.initiator ? sa.keys.sk_ei : sa.keys.sk_er;
  if (!gcm_seal(key.view(), iv, aad, pt.view(), out)) return {};
  OPENSSL_cleanse(pt.bytes().data(), pt.size());
  return out;
}

bool SessionImpl::open(IkeSa& sa, std::span<const uint8_t> msg, const Message& m, Payloads& inner) {
  if (!m.sk) return false;
  const SkLocation& sk = *m.sk;
  if (sk.body_len < kGcmIvLen + kGcmIcvLen + 1) return false;
  const auto body = msg.subspan(sk.body_offset, sk.body_len);
  const auto aad = msg.first(sk.body_offset);
  std::span<const uint8_t, kGcmIvLen> iv(body.data(), kGcmIvLen);
  const bool from_initiator = (m.header.flags & kFlagInitiator) != 0;
  const SecretBytes& key = from_initiator ? sa.keys.sk_ei : sa.keys.sk_er;
  SecretBytes plain;
  if (!gcm_open(key.view(), iv, aad, body.subspan(kGcmIvLen), plain)) {
    ++counters_.rx_decrypt_failed;
    return false;
  }
  const auto pv = plain.view();
  const uint8_t pad = pv.back();
  if (size_t{pad} + 1 > pv.size()) {
    ++counters_.rx_malformed;
    return false;
  }
  if (parse_payloads(sk.inner_first, pv.first(pv.size() - 1 - pad), inner) != ParseError::Ok) {
    ++counters_.rx_malformed;
    return false;
  }
  return true;
}

void SessionImpl::emit_send(std::vector<uint8_t> bytes, Output& out) const {
  if (bytes.empty()) return;
  out.send.push_back(Datagram{std::move(bytes), nat_});
}

void SessionImpl::send_request(IkeSa& sa, Pending p, ExchangeType ex, const ChainBuilder& inner, TimePoint now,
                               Output& out) {
  p.mid = sa.next_mid++;
  p.bytes = seal(sa, ex, false, p.mid, inner);
  p.interval = cfg_->timers.retransmit_base;
  p.next_retx = now + p.interval;
  p.retries = 0;
  emit_send(p.bytes, out);
  sa.pending = std::move(p);
}

void SessionImpl::send_response(IkeSa& sa, ExchangeType ex, uint32_t mid, const ChainBuilder& inner, Output& out) {
  sa.cached_response = seal(sa, ex, true, mid, inner);
  sa.cached_mid = mid;
  sa.has_cached = true;
  emit_send(sa.cached_response, out);
}

std::vector<uint8_t> SessionImpl::nat_hash(uint64_t spi_i, uint64_t spi_r, const Endpoint& ep) const {
  // RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port).
  const auto si = spi_bytes(spi_i);
  const auto sr = spi_bytes(spi_r);
  const auto port = u16_bytes(ep.port);
  return sha1({si, sr, ep.address, port});
}

void SessionImpl::add_nat_notifies(ChainBuilder& c, uint64_t spi_i, uint64_t spi_r) const {
  // In-band transport has no IP addresses: no NAT can exist, so no NAT_DETECTION payloads.
  if (local_.address.empty() || remote_.address.empty()) return;
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NatDetectionSourceIp, nat_hash(spi_i, spi_r, local_)));
  c.add(PayloadType::Notify,
        build_notify(0, {}, NotifyType::NatDetectionDestinationIp, nat_hash(spi_i, spi_r, remote_)));
}

void SessionImpl::check_nat(const Payloads& p, uint64_t spi_i, uint64_t spi_r, Output& out) {
  if (local_.address.empty() || remote_.address.empty()) return;
  bool saw_src = false, saw_dst = false, src_match = false, dst_match = false;
  const auto want_src = nat_hash(spi_i, spi_r, remote_);
  const auto want_dst = nat_hash(spi_i, spi_r, local_);
  for (const auto& n : p.notifies) {
    if (n.type == static_cast<uint16_t>(NotifyType::NatDetectionSourceIp)) {
      saw_src = true;
      src_match |= n.data == want_src;
    } else if (n.type == static_cast<uint16_t>(NotifyType::NatDetectionDestinationIp)) {
      saw_dst = true;
      dst_match |= n.data == want_dst;
    }
  }
  if (!saw_src || !saw_dst) return;  // peer does not do NAT-T
  nat_remote_ = !src_match;
  nat_local_ = !dst_match;
  // RFC 7296 2.23: with a NAT on the path, move to UDP 4500 (non-ESP marker) from IKE_AUTH on.
  if ((nat_local_ || nat_remote_) && !float_announced_) {
    nat_ = true;
    float_announced_ = true;
    out.events.emplace_back(FloatToNatPort{});
  }
}

void SessionImpl::add_ts(ChainBuilder& c, const std::vector<TrafficSelector>* tsi,
                         const std::vector<TrafficSelector>* tsr) const {
  static const std::vector<TrafficSelector> kAny{TrafficSelector{}};
  const bool esp = cfg_->child.kind == ChildKind::Esp;
  if (tsi == nullptr) tsi = esp ? &cfg_->child.esp.ts_local : &kAny;
  if (tsr == nullptr) tsr = esp ? &cfg_->child.esp.ts_remote : &kAny;
  c.add(PayloadType::TsI, build_ts(*tsi));
  c.add(PayloadType::TsR, build_ts(*tsr));
}

void SessionImpl::add_sci(ChainBuilder& c) const {
  if (cfg_->child.kind != ChildKind::Macsec) return;
  const auto sci = spi_bytes(cfg_->child.macsec.local_sci);
  c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::MacsecSci, sci));
}

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
  dh_ = DhKey::generate(ke_group_);
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
  h.next_payload = c.first();
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagInitiator;
  ByteWriter w;
  write_header(w, h);
  c.write(w);
  patch_length(w);
  init_request_ = w.take();
  Pending p;
  p.kind = ReqKind::Init;
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
    h.next_payload = c.first();
    h.exchange = ExchangeType::IkeSaInit;
    h.flags = kFlagResponse;
    ByteWriter w;
    write_header(w, h);
    c.write(w);
    patch_length(w);
    out.send.push_back(Datagram{w.take(), false});
  };
  if (!in.sa || !in.ke || !nonce_ok(in.nonce)) {
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
  h.next_payload = c.first();
  h.exchange = ExchangeType::IkeSaInit;
  h.flags = kFlagResponse;
  ByteWriter w;
  write_header(w, h);
  c.write(w);
  patch_length(w);
  init_request_.assign(msg.begin(), msg.end());
  init_response_ = w.take();
  ike_->peer_next_mid = 1;
  state_ = SessionState::InitSent;
  init_cache_ = std::make_shared<InitReplyCache>(InitReplyCache{ike_->spi_i, init_request_, init_response_});
  out.send.push_back(Datagram{init_response_, false});
  return true;
}

void SessionImpl::on_init_response(std::span<const uint8_t> msg, const Message& m, TimePoint now, Output& out) {
  const Payloads& in = m.payloads;
  if (const auto* n = in.find_notify(NotifyType::Cookie)) {
    if (init_retries_++ >= kMaxInitRetries || n->data.empty() || n->data.size() > 64) {
      fail(FailReason::MessageRejected, "responder keeps demanding a cookie", out, true);
      return;
    }
    cookie_ = n->data;
    ike_->pending.reset();
    out.events.emplace_back(CookieRetry{});
    send_init(now, out);
    return;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    bool offered = false;
    for (const auto& p : cfg_->ike_proposals)
      offered |= g && std::count(p.groups.begin(), p.groups.end(), static_cast<DhGroup>(*g)) > 0;
    if (!g || !offered || *g == static_cast<uint16_t>(ke_group_) || init_retries_++ >= kMaxInitRetries) {
      fail(FailReason::InvalidKePayload,
           "responder requires key exchange group " + (g ? std::to_string(*g) : std::string("?")) +
               ", which we do not offer",
           out, true);
      return;
    }
    ke_group_ = static_cast<DhGroup>(*g);
    ike_->pending.reset();
    out.events.emplace_back(InvalidKeRetry{ke_group_});
    send_init(now, out);
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    fail(FailReason::NoProposalChosen, "responder accepted none of our IKE proposals", out, true,
         ProposalMismatch{describe(ike_offer_), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    fail(FailReason::MessageRejected, std::string("responder answered IKE_SA_INIT with ") + notify_name(e->type), out,
         true);
    return;
  }
  if (!in.sa || !in.ke || !nonce_ok(in.nonce) || m.header.spi_r == 0) {
    ++counters_.rx_malformed;
    return;  // keep retransmitting: this reply is not usable (could be forged)
  }
  const auto suite = validate_ike_choice(*in.sa, ike_offer_);
  if (!suite || suite->group != ke_group_ || in.ke->group != static_cast<uint16_t>(ke_group_)) {
    fail(FailReason::NoProposalChosen, "responder chose a proposal we did not offer", out, false,
         ProposalMismatch{describe(ike_offer_), describe(*in.sa)});
    return;
  }
  auto g_ir = dh_->derive(in.ke->data);
  if (!g_ir) {
    fail(FailReason::MessageRejected, "responder's KE public value is invalid", out);
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
      switch (verify_certificate(cert->data, cfg_->auth.ca_cert_der, cfg_->auth.cert_check_time, key)) {
        case CertCheck::Ok: break;
        case CertCheck::Expired:
          return failed(FailReason::CertificateExpired, "peer certificate is expired or not yet valid");
        case CertCheck::Untrusted:
          return failed(FailReason::CertificateUntrusted, "peer certificate does not chain to the configured CA");
        case CertCheck::BadEncoding:
          return failed(FailReason::AuthenticationFailed, "peer certificate is malformed or has an unsupported key");
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
  Pending p;
  p.kind = ReqKind::Auth;
  send_request(*ike_, std::move(p), ExchangeType::IkeAuth, c, now, out);
  state_ = SessionState::AuthSent;
}

void SessionImpl::on_auth_request(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out) {
  (void)now;
  const uint32_t mid = m.header.message_id;
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
    Pending p;
    p.kind = ReqKind::NotifyError;
    send_request(sa, std::move(p), ExchangeType::Informational, c, now, out);
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

// ---- child SAs -------------------------------------------------------------------------------

ChildSa* SessionImpl::find_child_in(uint32_t spi_in) {
  for (auto& c : children_)
    if (c.spi_in == spi_in) return &c;
  return nullptr;
}

ChildSa* SessionImpl::find_child_out(uint32_t spi_out) {
  for (auto& c : children_)
    if (c.spi_out == spi_out) return &c;
  return nullptr;
}

std::optional<ChildKeysReady> SessionImpl::install_child(const ChildSuite& suite, uint32_t spi_in, uint32_t spi_out,
                                                         bool we_initiated, std::span<const uint8_t> g_ir,
                                                         std::span<const uint8_t> ni, std::span<const uint8_t> nr,
                                                         const ChildSa* replaces) {
  const ChildKeyLayout layout =
      suite.kind == ChildKind::Macsec ? layout_for(suite.macsec) : layout_for_esp(suite.esp_key_bits);
  ChildKeymat km;
  if (!derive_child_keys(ike_->suite.prf, ike_->keys.sk_d.view(), g_ir, ni, nr, layout, km)) return std::nullopt;
  ChildSa c;
  c.spi_in = spi_in;
  c.spi_out = spi_out;
  c.suite = suite;
  // docs/protocol.md: the first child uses AN 0, each rekey the next AN modulo 4.
  c.an = replaces ? static_cast<uint8_t>((replaces->an + 1) % 4) : 0;
  if (replaces) {
    c.ts_local = replaces->ts_local;
    c.ts_remote = replaces->ts_remote;
  }
  ChildKeysReady ev;
  ev.kind = suite.kind;
  ev.suite = suite.macsec;
  ev.esp_key_bits = suite.kind == ChildKind::Esp ? suite.esp_key_bits : 0;
  ev.confidentiality_offset = suite.offset;
  ev.confidentiality = suite.confidentiality;
  ev.is_rekey = replaces != nullptr;
  ev.local_initiated = we_initiated;
  ev.replaces_spi = replaces ? replaces->spi_in : 0;
  ev.pfs_group = suite.group;
  const uint32_t spi_init = we_initiated ? spi_in : spi_out;
  const uint32_t spi_resp = we_initiated ? spi_out : spi_in;
  ev.key_id = (uint64_t{spi_init} << 32) | spi_resp;
  const bool macsec = suite.kind == ChildKind::Macsec;
  const uint64_t local_sci = macsec ? cfg_->child.macsec.local_sci : 0;
  const uint64_t remote_sci = macsec ? peer_sci_ : 0;
  // design.md §4: i->r is the exchange initiator's transmit direction (SSCI 1), r->i SSCI 2.
  DirectionKeys i2r{0, 0, macsec ? 1u : 0u, c.an, std::move(km.i2r_key), std::move(km.i2r_salt)};
  DirectionKeys r2i{0, 0, macsec ? 2u : 0u, c.an, std::move(km.r2i_key), std::move(km.r2i_salt)};
  if (we_initiated) {
    i2r.spi = spi_out;
    i2r.sci = local_sci;
    r2i.spi = spi_in;
    r2i.sci = remote_sci;
    ev.outbound = std::move(i2r);
    ev.inbound = std::move(r2i);
  } else {
    r2i.spi = spi_out;
    r2i.sci = local_sci;
    i2r.spi = spi_in;
    i2r.sci = remote_sci;
    ev.outbound = std::move(r2i);
    ev.inbound = std::move(i2r);
  }
  children_.push_back(std::move(c));
  return ev;
}

void SessionImpl::start_rekey_child(uint32_t old_spi, TimePoint now, Output& out) {
  ChildSa* old = nullptr;
  if (old_spi == 0) {
    // The current child: the newest one that is not on its way out.
    for (auto& c : children_)
      if (!c.deleting && c.replaced_by == 0) old = &c;
  } else {
    old = find_child_in(old_spi);
  }
  if (old == nullptr || old->deleting || old->rekeying || old->replaced_by != 0) return;
  Pending p;
  p.kind = ReqKind::RekeyChild;
  p.old_child_spi = old->spi_in;
  p.child_spi = random_u32();
  p.nonce = random_vec(kNonceLen);
  const bool pfs = !cfg_->child.pfs_groups.empty();
  std::optional<DhGroup> group;
  if (pfs) {
    group = child_ke_group_.value_or(cfg_->child.pfs_groups[0]);
    p.dh = DhKey::generate(*group);
    if (!p.dh) return;
  }
  p.offer = build_child_offer(cfg_->child, p.child_spi, pfs, group);
  ChainBuilder c;
  const auto proto = static_cast<uint8_t>(cfg_->child.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp);
  // RFC 7296 1.3.3: REKEY_SA names the SA being rekeyed by our inbound SPI.
  c.add(PayloadType::Notify, build_notify(proto, spi_bytes(old->spi_in), NotifyType::RekeySa, {}));
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  if (p.dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*group), p.dh->public_value()));
  const bool esp = cfg_->child.kind == ChildKind::Esp && !old->ts_local.empty();
  add_ts(c, esp ? &old->ts_local : nullptr, esp ? &old->ts_remote : nullptr);
  add_sci(c);
  old->rekeying = true;
  p.old_an = old->an;
  p.old_ts_local = old->ts_local;
  p.old_ts_remote = old->ts_remote;
  send_request(*ike_, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void SessionImpl::on_create_child_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  auto reply_notify = [&](NotifyType t, std::vector<uint8_t> data = {}) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, t, data));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  };
  if (&sa != ike_.get() || sa.deleting || state_ != SessionState::Established) {
    reply_notify(NotifyType::TemporaryFailure);
    return;
  }
  if (!in.sa || in.sa->empty() || !nonce_ok(in.nonce)) {
    reply_notify(NotifyType::InvalidSyntax);
    return;
  }
  if ((*in.sa)[0].protocol == ProtocolId::Ike) {
    // A child rekey of ours in flight: ask the peer to retry later (RFC 7296 2.25.2). Our own
    // IKE rekey in flight is a 2.8.2 collision: answer it, and resolve when ours completes.
    const bool collision = sa.rekeying && sa.pending && sa.pending->kind == ReqKind::RekeyIke;
    bool busy = sa.rekeying && !collision;
    for (const auto& c : children_) busy |= c.rekeying;
    if (busy) {
      reply_notify(NotifyType::TemporaryFailure);
      return;
    }
    Proposal chosen;
    const auto suite = select_ike(*in.sa, cfg_->ike_proposals, chosen);
    if (!suite) {
      ChainBuilder c;
      c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
      send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
      return;
    }
    if (!in.ke || in.ke->group != static_cast<uint16_t>(suite->group)) {
      reply_notify(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(suite->group)));
      return;
    }
    if (chosen.spi.size() != 8 || spi_u64(chosen.spi) == 0) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    auto dh = DhKey::generate(suite->group);
    std::optional<SecretBytes> g_ir;
    if (dh) g_ir = dh->derive(in.ke->data);
    if (!g_ir) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    const auto nr = random_vec(kNonceLen);
    auto nsa = std::make_unique<IkeSa>();
    nsa->spi_i = spi_u64(chosen.spi);
    nsa->spi_r = random_u64();
    nsa->initiator = false;  // RFC 7296 2.18: the rekey initiator becomes the original initiator
    nsa->suite = *suite;
    if (!derive_ike_keys(*suite, g_ir->view(), *in.nonce, nr, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                         nsa->keys)) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
    chosen.spi = spi_bytes(nsa->spi_r);
    ChainBuilder c;
    c.add(PayloadType::Sa, build_sa({chosen}));
    c.add(PayloadType::Nonce, nr);
    c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(suite->group), dh->public_value()));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    IkeRekeyed ev{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r};
    if (collision) {
      nsa->collision_product = true;
      sa.pending->peer_ike_rekey = Pending::PeerIkeRekey{*in.nonce, nr, nsa.get()};
    }
    retire(std::move(ike_));  // kept until the peer deletes it (RFC 7296 2.18)
    ike_ = std::move(nsa);
    out.events.emplace_back(ev);
    return;
  }
  const NotifyPayload* rekey = in.find_notify(NotifyType::RekeySa);
  if (rekey == nullptr) {
    // One MACsec (or ESP) child per IKE SA: extra children are refused (RFC 7296 1.3).
    reply_notify(NotifyType::NoAdditionalSas);
    return;
  }
  ChildSa* old = rekey->spi.size() == 4 ? find_child_out(spi_u32(rekey->spi)) : nullptr;
  if (old == nullptr) {
    reply_notify(NotifyType::ChildSaNotFound);
    return;
  }
  if (old->deleting || (old->replaced_by != 0 && !old->rekeying) || sa.rekeying) {
    reply_notify(NotifyType::TemporaryFailure);
    return;
  }
  const uint32_t spi = random_u32();
  Proposal chosen;
  const bool want_ke = in.ke.has_value();
  auto cs = select_child(*in.sa, cfg_->child, want_ke, chosen, spi);
  if (cs && !want_ke && !cfg_->child.pfs_groups.empty()) cs.reset();  // our policy requires PFS
  if (!cs) {
    ChainBuilder c;
    c.add(PayloadType::Notify, build_notify(0, {}, NotifyType::NoProposalChosen, {}));
    c.add(PayloadType::Notify, build_notify(0, {}, static_cast<NotifyType>(kNotifyOurOffer),
                                            build_sa(build_child_offer(cfg_->child, 0, true))));
    send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
    return;
  }
  std::optional<SecretBytes> g_ir;
  std::optional<DhKey> dh;
  if (cs->group) {
    if (in.ke->group != static_cast<uint16_t>(*cs->group)) {
      reply_notify(NotifyType::InvalidKePayload, u16_bytes(static_cast<uint16_t>(*cs->group)));
      return;
    }
    dh = DhKey::generate(*cs->group);
    if (dh) g_ir = dh->derive(in.ke->data);
    if (!g_ir) {
      reply_notify(NotifyType::InvalidSyntax);
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8) peer_sci_ = spi_u64(sci->data);
  uint32_t peer_spi = 0;
  for (const auto& p : *in.sa)
    if (p.number == chosen.number && p.protocol == chosen.protocol) peer_spi = spi_u32(p.spi);
  const auto nr = random_vec(kNonceLen);
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa({chosen}));
  c.add(PayloadType::Nonce, nr);
  if (dh) c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(*cs->group), dh->public_value()));
  add_ts(c, in.tsi ? &*in.tsi : nullptr, in.tsr ? &*in.tsr : nullptr);
  add_sci(c);
  send_response(sa, ExchangeType::CreateChildSa, mid, c, out);
  const uint32_t old_spi = old->spi_in;
  const bool collision = old->rekeying;
  if (collision && ike_->pending && ike_->pending->kind == ReqKind::RekeyChild &&
      ike_->pending->old_child_spi == old_spi)
    ike_->pending->peer_rekey = ChildSa::PeerRekey{*in.nonce, nr, spi};
  auto ev = install_child(*cs, spi, peer_spi, false, g_ir ? g_ir->view() : std::span<const uint8_t>{}, *in.nonce, nr,
                          old);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  // Until a collision is resolved (2.8.1), the peer's new child is the presumed successor.
  find_child_in(old_spi)->replaced_by = spi;
  out.events.emplace_back(std::move(*ev));
  (void)now;
}

void SessionImpl::on_rekey_child_response(IkeSa& sa, Pending& p, const Payloads& in, TimePoint now, Output& out) {
  (void)sa;
  if (ChildSa* old = find_child_in(p.old_child_spi)) old->rekeying = false;
  auto failed_op = [&](FailReason r, std::string d, std::optional<ProposalMismatch> props = std::nullopt) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    f.proposals = std::move(props);
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure) || in.find_notify(NotifyType::ChildSaNotFound)) {
    ChildSa* old = find_child_in(p.old_child_spi);
    // Retry later unless the peer's own rekey or delete already replaced this child (2.25).
    if (old && !old->deleting && !p.peer_rekey && old->replaced_by == 0) {
      uint8_t jitter = 0;
      (void)random_bytes({&jitter, 1});
      retry_at_ = now + cfg_->timers.retransmit_base + Millis(jitter * 4);
      retry_req_ = QueuedRequest{ReqKind::RekeyChild, p.old_child_spi};
    }
    return;
  }
  if (const auto* n = in.find_notify(NotifyType::InvalidKePayload)) {
    const auto g = notify_u16(*n);
    if (g && std::count(cfg_->child.pfs_groups.begin(), cfg_->child.pfs_groups.end(), static_cast<DhGroup>(*g)) &&
        (!p.dh || static_cast<uint16_t>(p.dh->group()) != *g)) {
      child_ke_group_ = static_cast<DhGroup>(*g);
      out.events.emplace_back(InvalidKeRetry{*child_ke_group_});
      queue_.push_front(QueuedRequest{ReqKind::RekeyChild, p.old_child_spi});
      return;
    }
    failed_op(FailReason::InvalidKePayload, "peer wants a PFS group we do not offer");
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    failed_op(FailReason::NoProposalChosen, "peer refused our child rekey proposal",
              ProposalMismatch{describe(p.offer), peer_offer_from(in)});
    return;
  }
  if (const auto* e = first_error(in)) {
    failed_op(FailReason::MessageRejected, std::string("peer refused the child rekey: ") + notify_name(e->type));
    return;
  }
  const auto cs = in.sa ? validate_child_choice(*in.sa, p.offer) : std::nullopt;
  if (!cs || !nonce_ok(in.nonce) || (*in.sa)[0].spi.size() != 4 || bool(cs->group) != bool(p.dh)) {
    failed_op(FailReason::MessageRejected, "malformed CREATE_CHILD_SA response");
    return;
  }
  std::optional<SecretBytes> g_ir;
  if (cs->group) {
    if (!in.ke || in.ke->group != static_cast<uint16_t>(*cs->group) || p.dh->group() != *cs->group ||
        !(g_ir = p.dh->derive(in.ke->data))) {
      failed_op(FailReason::MessageRejected, "invalid KE in CREATE_CHILD_SA response");
      return;
    }
  }
  if (const auto* sci = in.find_notify(NotifyType::MacsecSci); sci && sci->data.size() == 8) peer_sci_ = spi_u64(sci->data);
  // The old child may already be gone (a colliding peer rekey deleted it): its AN and
  // selectors travel in the pending request.
  ChildSa old_copy;
  old_copy.spi_in = p.old_child_spi;
  old_copy.an = p.old_an;
  old_copy.ts_local = p.old_ts_local;
  old_copy.ts_remote = p.old_ts_remote;
  auto ev = install_child(*cs, p.child_spi, spi_u32((*in.sa)[0].spi), true,
                          g_ir ? g_ir->view() : std::span<const uint8_t>{}, p.nonce, *in.nonce, &old_copy);
  if (!ev) {
    fail(FailReason::InternalError, "child key derivation failed", out);
    return;
  }
  out.events.emplace_back(std::move(*ev));
  ChildSa* o = find_child_in(p.old_child_spi);
  if (p.peer_rekey) {
    // RFC 7296 2.8.1 collision: the exchange holding the lowest of the four nonces made the
    // redundant SA; its initiator deletes it, the other initiator deletes the old one.
    const auto& pr = *p.peer_rekey;
    std::span<const uint8_t> ours_low = nonce_less(p.nonce, *in.nonce) ? std::span<const uint8_t>(p.nonce)
                                                                        : std::span<const uint8_t>(*in.nonce);
    std::span<const uint8_t> theirs_low =
        nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
    if (nonce_less(ours_low, theirs_low)) {
      if (o) o->replaced_by = pr.new_spi_in;
      enqueue(QueuedRequest{ReqKind::DeleteChild, p.child_spi}, now, out);
    } else if (o) {
      o->replaced_by = p.child_spi;
      enqueue(QueuedRequest{ReqKind::DeleteChild, p.old_child_spi}, now, out);
    }
    return;
  }
  if (o == nullptr) return;
  o->replaced_by = p.child_spi;
  enqueue(QueuedRequest{ReqKind::DeleteChild, p.old_child_spi}, now, out);
}

void SessionImpl::start_delete_child(uint32_t spi_in, TimePoint now, Output& out) {
  ChildSa* c = find_child_in(spi_in);
  if (c == nullptr || c->deleting) return;
  c->deleting = true;
  Pending p;
  p.kind = ReqKind::DeleteChild;
  p.old_child_spi = spi_in;
  ChainBuilder b;
  const auto proto = c->suite.kind == ChildKind::Macsec ? ProtocolId::Macsec : ProtocolId::Esp;
  b.add(PayloadType::Delete, build_delete(proto, 4, {spi_bytes(spi_in)}));
  send_request(*ike_, std::move(p), ExchangeType::Informational, b, now, out);
}

// ---- IKE SA rekey ----------------------------------------------------------------------------

void SessionImpl::start_rekey_ike(TimePoint now, Output& out) {
  if (ike_->rekeying || ike_->deleting) return;
  Pending p;
  p.kind = ReqKind::RekeyIke;
  p.new_ike_spi = random_u64();
  p.nonce = random_vec(kNonceLen);
  const DhGroup group = ike_->suite.group;
  p.dh = DhKey::generate(group);
  if (!p.dh) return;
  p.offer = build_ike_offer(cfg_->ike_proposals, spi_bytes(p.new_ike_spi));
  ChainBuilder c;
  c.add(PayloadType::Sa, build_sa(p.offer));
  c.add(PayloadType::Nonce, p.nonce);
  c.add(PayloadType::Ke, build_ke(static_cast<uint16_t>(group), p.dh->public_value()));
  ike_->rekeying = true;
  send_request(*ike_, std::move(p), ExchangeType::CreateChildSa, c, now, out);
}

void SessionImpl::on_rekey_ike_response(IkeSa& sa, Pending& p, const Payloads& in, TimePoint now, Output& out) {
  sa.rekeying = false;
  auto failed_op = [&](FailReason r, std::string d) {
    Failed f;
    f.reason = r;
    f.detail = std::move(d);
    f.by_peer = true;
    out.events.emplace_back(std::move(f));
  };
  if (in.find_notify(NotifyType::TemporaryFailure)) {
    if (p.peer_ike_rekey) return;  // the peer's own rekey went through: nothing to retry
    uint8_t jitter = 0;
    (void)random_bytes({&jitter, 1});
    retry_at_ = now + cfg_->timers.retransmit_base + Millis(jitter * 4);
    retry_req_ = QueuedRequest{ReqKind::RekeyIke, 0};
    return;
  }
  if (in.find_notify(NotifyType::NoProposalChosen)) {
    failed_op(FailReason::NoProposalChosen, "peer refused our IKE rekey proposal");
    return;
  }
  if (const auto* e = first_error(in)) {
    failed_op(FailReason::MessageRejected, std::string("peer refused the IKE rekey: ") + notify_name(e->type));
    return;
  }
  const auto suite = in.sa ? validate_ike_choice(*in.sa, p.offer) : std::nullopt;
  std::optional<SecretBytes> g_ir;
  if (!suite || !nonce_ok(in.nonce) || (*in.sa)[0].spi.size() != 8 || !in.ke || suite->group != p.dh->group() ||
      in.ke->group != static_cast<uint16_t>(suite->group) || !(g_ir = p.dh->derive(in.ke->data))) {
    failed_op(FailReason::MessageRejected, "malformed IKE rekey response");
    return;
  }
  auto nsa = std::make_unique<IkeSa>();
  nsa->spi_i = p.new_ike_spi;
  nsa->spi_r = spi_u64((*in.sa)[0].spi);
  nsa->initiator = true;
  nsa->suite = *suite;
  if (!derive_ike_keys(*suite, g_ir->view(), p.nonce, *in.nonce, nsa->spi_i, nsa->spi_r, &sa.keys.sk_d, sa.suite.prf,
                       nsa->keys)) {
    fail(FailReason::InternalError, "key derivation failed", out);
    return;
  }
  if (p.peer_ike_rekey) {
    // RFC 7296 2.8.2: the exchange holding the lowest of the four nonces made the redundant IKE
    // SA; its initiator deletes that SA, the other initiator deletes the old one. `sa` is the old
    // SA (already retiring, since we answered the peer's rekey on it).
    const auto& pr = *p.peer_ike_rekey;
    std::span<const uint8_t> ours_low = nonce_less(p.nonce, *in.nonce) ? std::span<const uint8_t>(p.nonce)
                                                                        : std::span<const uint8_t>(*in.nonce);
    std::span<const uint8_t> theirs_low =
        nonce_less(pr.ni, pr.nr) ? std::span<const uint8_t>(pr.ni) : std::span<const uint8_t>(pr.nr);
    if (nonce_less(ours_low, theirs_low)) {
      IkeSa* redundant = nsa.get();
      retire(std::move(nsa));
      start_delete_ike(*redundant, now, out);
      return;
    }
    // Ours survives: the peer's new SA is redundant and the peer deletes it.
    out.events.emplace_back(IkeRekeyed{ike_->spi_i, ike_->spi_r, nsa->spi_i, nsa->spi_r});
    std::unique_ptr<IkeSa> theirs = std::move(ike_);
    ike_ = std::move(nsa);
    if (theirs.get() != pr.created || !theirs->peer_deleted) retire(std::move(theirs));
    start_delete_ike(sa, now, out);
    return;
  }
  out.events.emplace_back(IkeRekeyed{sa.spi_i, sa.spi_r, nsa->spi_i, nsa->spi_r});
  retire(std::move(ike_));
  ike_ = std::move(nsa);
  // RFC 7296 2.18: the rekey initiator deletes the old IKE SA.
  start_delete_ike(*retiring_.back(), now, out);
}

void SessionImpl::drop_retiring(const IkeSa* sa) {
  for (const auto& r : retiring_) {
    if (r.get() != sa || !r->has_cached) continue;
    // Keep its last answer: if that answer (e.g. to the Delete) is lost, the retransmitted
    // request must still get it (RFC 7296 2.1).
    graveyard_.push_back(Tombstone{r->spi_i, r->spi_r, r->cached_mid, r->cached_response});
    if (graveyard_.size() > 4) graveyard_.erase(graveyard_.begin());
  }
  std::erase_if(retiring_, [&](const std::unique_ptr<IkeSa>& r) { return r.get() == sa; });
}

bool SessionImpl::ike_rekey_in_flight() const {
  if (ike_ && ike_->rekeying) return true;
  for (const auto& r : retiring_)
    if (r->rekeying) return true;
  return false;
}

void SessionImpl::start_delete_ike(IkeSa& sa, TimePoint now, Output& out) {
  if (sa.deleting) return;
  sa.deleting = true;
  Pending p;
  p.kind = ReqKind::DeleteIke;
  ChainBuilder c;
  c.add(PayloadType::Delete, build_delete(ProtocolId::Ike, 0, {}));
  send_request(sa, std::move(p), ExchangeType::Informational, c, now, out);
}

// ---- INFORMATIONAL ---------------------------------------------------------------------------

void SessionImpl::on_informational_request(IkeSa& sa, const Payloads& in, uint32_t mid, TimePoint now, Output& out) {
  (void)now;
  ChainBuilder c;
  bool delete_ike = false;
  for (const auto& d : in.deletes) {
    if (d.protocol == ProtocolId::Ike) {
      delete_ike = true;
      continue;
    }
    if (d.spi_len != 4) continue;
    std::vector<std::vector<uint8_t>> ours;
    for (const auto& s : d.spis) {
      ChildSa* ch = find_child_out(spi_u32(s));
      if (ch == nullptr) continue;
      // RFC 7296 1.4.1: answer with our inbound SPIs, unless we are deleting it ourselves.
      if (!ch->deleting) ours.push_back(spi_bytes(ch->spi_in));
      if (ch->replaced_by != 0)
        out.events.emplace_back(ChildRekeyed{ch->spi_in, ch->replaced_by});
      else
        out.events.emplace_back(Deleted{false, ch->spi_in, true});
      const uint32_t gone = ch->spi_in;
      std::erase_if(children_, [&](const ChildSa& x) { return x.spi_in == gone; });
    }
    if (!ours.empty()) c.add(PayloadType::Delete, build_delete(d.protocol, 4, ours));
  }
  const bool auth_failed = in.find_notify(NotifyType::AuthenticationFailed) != nullptr;
  send_response(sa, ExchangeType::Informational, mid, c, out);
  if (auth_failed) {
    fail(FailReason::AuthenticationFailed, "peer rejected our AUTH (AUTHENTICATION_FAILED)", out, true);
    return;
  }
  if (!delete_ike) return;
  if (&sa != ike_.get()) {
    drop_retiring(&sa);  // the rekeyed-away (or redundant) IKE SA: its successor carries on
    return;
  }
  if (sa.collision_product && ike_rekey_in_flight()) {
    // 2.8.2: the peer deleted the SA our answer created as redundant before our own rekey
    // answer arrived; that answer brings the surviving SA.
    sa.peer_deleted = true;
    return;
  }
  out.events.emplace_back(Deleted{true, 0, true});
  state_ = SessionState::Closed;
  children_.clear();
  queue_.clear();
  ike_->pending.reset();
  retry_at_.reset();
}

void SessionImpl::on_informational_response(IkeSa& sa, Pending& p, const Payloads& in, TimePoint now, Output& out) {
  (void)in;
  (void)now;
  switch (p.kind) {
    case ReqKind::DeleteChild: {
      ChildSa* ch = find_child_in(p.old_child_spi);
      if (ch == nullptr) return;  // the peer deleted it in the same round trip
      if (ch->replaced_by != 0)
        out.events.emplace_back(ChildRekeyed{ch->spi_in, ch->replaced_by});
      else
        out.events.emplace_back(Deleted{false, ch->spi_in, false});
      std::erase_if(children_, [&](const ChildSa& x) { return x.spi_in == p.old_child_spi; });
      return;
    }
    case ReqKind::DeleteIke:
      if (&sa != ike_.get()) {
        drop_retiring(&sa);
        return;
      }
      out.events.emplace_back(Deleted{true, 0, false});
      state_ = SessionState::Closed;
      children_.clear();
      queue_.clear();
      return;
    default:
      return;  // liveness answered (last_rx_ already updated) or error notify acknowledged
  }
}

// ---- dispatch, queue, timers -----------------------------------------------------------------

void SessionImpl::dispatch_request(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out) {
  const uint32_t mid = m.header.message_id;
  sa.peer_next_mid = mid + 1;
  switch (m.header.exchange) {
    case ExchangeType::IkeAuth:
      if (role_ == Role::Responder && state_ == SessionState::InitSent && &sa == ike_.get()) {
        on_auth_request(sa, m, in, now, out);
      } else {
        ++counters_.rx_unexpected;
      }
      return;
    case ExchangeType::CreateChildSa:
      on_create_child_request(sa, in, mid, now, out);
      return;
    case ExchangeType::Informational:
      on_informational_request(sa, in, mid, now, out);
      return;
    default:
      ++counters_.rx_unexpected;
      return;
  }
}

void SessionImpl::dispatch_response(IkeSa& sa, const Message& m, const Payloads& in, TimePoint now, Output& out) {
  const ReqKind kind = sa.pending->kind;
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
    case ReqKind::Auth: on_auth_response(sa, in, now, out); return;
    case ReqKind::RekeyChild: on_rekey_child_response(sa, p, in, now, out); return;
    case ReqKind::RekeyIke: on_rekey_ike_response(sa, p, in, now, out); return;
    default: on_informational_response(sa, p, in, now, out); return;
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
  if (!ike_) {
    ++counters_.rx_unexpected;
    return out;
  }
  if (state_ == SessionState::Failed || state_ == SessionState::Closed) {
    // Dead, but a retransmitted request still gets its cached answer (e.g. the
    // AUTHENTICATION_FAILED whose first copy was lost, RFC 7296 2.1).
    if (!is_response && ike_->has_cached && h.spi_i == ike_->spi_i && h.spi_r == ike_->spi_r &&
        h.message_id == ike_->cached_mid) {
      ++counters_.rx_retransmits;
      out.send.push_back(Datagram{ike_->cached_response, nat_});
    } else {
      ++counters_.rx_unexpected;
    }
    return out;
  }
  if (h.exchange == ExchangeType::IkeSaInit) {
    if (role_ == Role::Initiator && state_ == SessionState::InitSent && is_response && h.spi_i == ike_->spi_i &&
        h.message_id == 0 && ike_->pending && ike_->pending->kind == ReqKind::Init) {
      on_init_response(msg, m, now, out);
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
  if (ike_->spi_i == h.spi_i && ike_->spi_r == h.spi_r) sa = ike_.get();
  for (const auto& r : retiring_)
    if (r->spi_i == h.spi_i && r->spi_r == h.spi_r) sa = r.get();
  if (sa == nullptr && !is_response) {
    for (const auto& t : graveyard_) {
      if (t.spi_i == h.spi_i && t.spi_r == h.spi_r && t.mid == h.message_id) {
        ++counters_.rx_retransmits;
        out.send.push_back(Datagram{t.response, nat_});
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
    if (!sa->pending || sa->pending->kind == ReqKind::Init || sa->pending->mid != h.message_id) {
      ++counters_.rx_unexpected;
      return out;
    }
  } else if (sa->has_cached && h.message_id == sa->cached_mid && h.message_id + 1 == sa->peer_next_mid) {
    // RFC 7296 2.1: a retransmitted request gets the same response again, not a new one.
    ++counters_.rx_retransmits;
    out.send.push_back(Datagram{sa->cached_response, nat_});
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
    dispatch_request(*sa, m, in, now, out);
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
  while (state_ == SessionState::Established && ike_ && !ike_->pending && !queue_.empty() && !ike_rekey_in_flight()) {
    const QueuedRequest r = queue_.front();
    queue_.pop_front();
    switch (r.kind) {
      case ReqKind::RekeyChild: start_rekey_child(r.child_spi, now, out); break;
      case ReqKind::RekeyIke: start_rekey_ike(now, out); break;
      case ReqKind::DeleteChild: start_delete_child(r.child_spi, now, out); break;
      case ReqKind::DeleteIke: start_delete_ike(*ike_, now, out); break;
      case ReqKind::Dpd: {
        Pending p;
        p.kind = ReqKind::Dpd;
        send_request(*ike_, std::move(p), ExchangeType::Informational, ChainBuilder{}, now, out);
        break;
      }
      default: break;
    }
  }
}

void SessionImpl::retransmit(IkeSa& sa, TimePoint now, Output& out) {
  if (!sa.pending || now < sa.pending->next_retx) return;
  Pending& p = *sa.pending;
  if (p.retries >= cfg_->timers.retransmit_limit && p.kind == ReqKind::DeleteIke && &sa != ike_.get()) {
    // A retiring IKE SA whose Delete is never answered is gone anyway (RFC 7296 1.4.1); its
    // successor carries on, so this is not a dead peer.
    drop_retiring(&sa);
    return;
  }
  if (p.retries >= cfg_->timers.retransmit_limit) {
    // RFC 7296 2.4: no answer after all retransmissions: the peer is gone.
    if (state_ == SessionState::Established) {
      out.events.emplace_back(PeerDead{});
      state_ = SessionState::Closed;
      if (ike_) ike_->pending.reset();
      for (auto& r : retiring_) r->pending.reset();
      children_.clear();
      queue_.clear();
      retry_at_.reset();
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
  out.send.push_back(Datagram{p.bytes, nat_ && p.kind != ReqKind::Init});
}

Output SessionImpl::on_timer(TimePoint now) {
  Output out;
  if (state_ == SessionState::Failed || state_ == SessionState::Closed || !ike_) return out;
  for (size_t i = 0; i < retiring_.size() && state_ != SessionState::Closed; ++i) retransmit(*retiring_[i], now, out);
  if (state_ == SessionState::Closed) return out;
  retransmit(*ike_, now, out);
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
  if (state_ == SessionState::Established && dpd.count() > 0 && !ike_->pending && queue_.empty() &&
      now - last_rx_ >= dpd)
    queue_.push_back(QueuedRequest{ReqKind::Dpd, 0});
  pump_queue(now, out);
  return out;
}

std::optional<TimePoint> SessionImpl::next_deadline() const {
  if (state_ == SessionState::Failed || state_ == SessionState::Closed || state_ == SessionState::Idle || !ike_)
    return std::nullopt;
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (!best || t < *best) best = t;
  };
  if (ike_->pending) consider(ike_->pending->next_retx);
  for (const auto& r : retiring_)
    if (r->pending) consider(r->pending->next_retx);
  if (retry_at_) consider(*retry_at_);
  if (role_ == Role::Responder && state_ == SessionState::InitSent) consider(created_ + cfg_->timers.half_open_timeout);
  if (state_ == SessionState::Established && cfg_->timers.dpd_interval.count() > 0 && !ike_->pending)
    consider(last_rx_ + cfg_->timers.dpd_interval);
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
  std::vector<const IkeSa*> all{ike_.get()};
  for (const auto& r : retiring_) all.push_back(r.get());
  for (const IkeSa* sa : all) {
    if (sa == nullptr || sa->spi_i != h.spi_i) continue;
    if (sa->spi_r == h.spi_r) return true;
    // Our IKE_SA_INIT answer (initiator) or a retransmitted IKE_SA_INIT (responder).
    if (h.exchange == static_cast<uint8_t>(ExchangeType::IkeSaInit)) return true;
  }
  return false;
}

// ---- public facade ---------------------------------------------------------------------------

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
uint64_t Session::spi_i() const { return impl_->ike_ ? impl_->ike_->spi_i : 0; }
uint64_t Session::spi_r() const { return impl_->ike_ ? impl_->ike_->spi_r : 0; }
const SessionCounters& Session::counters() const { return impl_->counters_; }

}  // namespace linkcrypt::ike
