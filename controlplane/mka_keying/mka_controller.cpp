// MkaController: MKPDUs through the wire port's EAPOL punt path; SAKs into the SecY make-before-break;
// no live peer: no SA (must-secure, 802.1X-2020 9.4.3).
#include "mka_controller.h"

#include <algorithm>

#include "hex.h"
#include "mka_config.h"
#include "mka_failure.h"
#include "mkpdu.h"

namespace linkcrypt::mka_keying {
namespace {

uint64_t sci_value(const std::array<uint8_t, 8>& sci) {
  uint64_t v = 0;
  for (uint8_t b : sci) v = v << 8 | b;
  return v;
}

ike::MacsecSuite macsec_suite(uint64_t suite) {
  switch (suite) {
    case mka::kGcmAes256: return ike::MacsecSuite::GcmAes256;
    case mka::kGcmAesXpn128: return ike::MacsecSuite::GcmAesXpn128;
    case mka::kGcmAesXpn256: return ike::MacsecSuite::GcmAesXpn256;
    default: return ike::MacsecSuite::GcmAes128;
  }
}

// The SAK's salt as the SecY takes it: 12 octets for an XPN suite, none otherwise.
SecretBytes salt_for(uint64_t suite, const mka::Salt& salt) {
  return mka::is_xpn(suite) ? SecretBytes(std::span<const uint8_t>(salt)) : SecretBytes();
}

// A non-secret name for the SA's logs and keylog: the key server's MI's first octets and the KN.
uint64_t key_id_of(const mka::KeyIdentifier& id) {
  uint64_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | id.ks_mi[i];
  return v << 32 | id.kn;
}

std::string kn_text(const mka::KeyIdentifier& id) {
  return to_hex(id.ks_mi, false) + "/" + std::to_string(id.kn);
}

}  // namespace

std::unique_ptr<MkaController> MkaController::create(MkaSetup setup, transport::KxPort& port, keying::KeySink& sink,
                                                     std::string& err) {
  mka::ChainConfig cfg;
  cfg.base = mka::settings_of(setup.participant);
  if (setup.keys.empty()) {
    mka::ChainKey k;
    k.ckn = setup.participant.ckn;
    k.cak = std::move(setup.participant.cak);
    cfg.keys.push_back(std::move(k));
  } else {
    cfg.keys = std::move(setup.keys);
  }
  setup.keys.clear();
  setup.participant.cak = SecretBytes();  // the chain's participants hold the CAKs; no second copy here
  auto chain = mka::CakChain::create(std::move(cfg));
  if (!chain) {
    err = "MKA: a CAK, CKN, cipher suite or time cannot be used (802.1X-2020 9.3.1), or the keychain has no primary";
    return nullptr;
  }
  return std::unique_ptr<MkaController>(new MkaController(std::move(setup), std::move(*chain), port, sink));
}

MkaController::MkaController(MkaSetup setup, mka::CakChain chain, transport::KxPort& port, keying::KeySink& sink)
    : setup_(std::move(setup)), chain_(std::move(chain)), port_(port), sink_(sink),
      own_sci_(sci_value(setup_.participant.sci)) {}

void MkaController::log(LogLevel level, std::string text, std::vector<LogField> fields) const {
  if (setup_.log) setup_.log(LogEvent{level, std::move(text), std::move(fields)});
}

void MkaController::start(Clock::time_point now) {
  events_.clear();
  chain_.start(now, events_);
  for (const auto& ca : chain_.status().participants) {
    log(LogLevel::Info, "MKA: member " + to_hex(ca.status.mi, false) + " for CKN " + to_hex(ca.ckn, false) +
                            (ca.fallback ? " (fallback)" : "") + ", key server priority " +
                            std::to_string(setup_.participant.key_server_priority) + ", suite " +
                            mka_cipher_suite_name(setup_.participant.cipher_suite));
  }
  apply(events_, now);
}

void MkaController::tick(Clock::time_point now) {
  frames_.clear();
  port_.receive_frames(frames_, 64);
  events_.clear();
  for (const auto& f : frames_) chain_.receive(f, now, events_);
  if (now >= chain_.next_deadline()) chain_.tick(now, events_);
  // 802.1AE 10.5.2: the transmit SA's PN reached its threshold: the key server distributes a new
  // SAK (once per SA; a non-key-server waits for the key server's own threshold).
  if (tx_an_ && sink_.tx_threshold_reached()) {
    if (!threshold_rekeyed_ && chain_.rekey(now, events_)) {
      log(LogLevel::Info, "MKA: transmit PN reached rekey-pn-threshold: distributing a new SAK", {{"REASON", "PnThreshold"}});
    }
    threshold_rekeyed_ = true;
  }
  apply(events_, now);
}

std::string MkaController::rekey(Clock::time_point now) {
  events_.clear();
  const bool ok = chain_.rekey(now, events_);
  apply(events_, now);
  if (!ok) return "MKA: only the key server distributes SAKs, and it needs a live peer (see 'linkcryptctl mka')";
  log(LogLevel::Info, "MKA: new SAK on the operator's request", {{"REASON", "Operator"}});
  return "";
}

void MkaController::install_rx_for(uint64_t sci, uint8_t an) {
  auto it = keys_.find(an);
  if (it == keys_.end() || it->second.rx_scis.count(sci) != 0) return;
  ike::ChildKeysReady k;
  k.suite = macsec_suite(it->second.suite);
  k.key_id = key_id_of(it->second.id);
  k.inbound.sci = sci;
  k.inbound.an = an;
  k.inbound.key = it->second.sak.clone();
  if (mka::is_xpn(it->second.suite)) {
    // The SSCI the key server gave this peer's SC for this SAK (802.1X-2020 9.8); a peer that was
    // not live when the SAK was distributed has none, and the key server distributes a new SAK for it.
    const auto ssci = it->second.peer_sscis.find(sci);
    if (ssci == it->second.peer_sscis.end()) return;
    k.inbound.ssci = ssci->second;
    k.inbound.salt = salt_for(it->second.suite, it->second.salt);
  }
  sink_.install_rx(k);
  it->second.rx_scis.insert(sci);
}

void MkaController::log_sent(std::span<const uint8_t> frame) const {
  // The fields tshark's EAPOL-MKA dissector shows, so that a capture can be checked against the log.
  mka::DecodedMkpdu d;
  if (mka::decode_mkpdu(frame, d) != mka::MkpduError::None) return;
  std::string line = "MKA: MKPDU sent ckn=" + to_hex(d.pdu.basic.ckn, false) + " mi=" + to_hex(d.pdu.basic.mi, false) +
                     " mn=" + std::to_string(d.pdu.basic.mn) + " key-server=" + (d.pdu.basic.key_server ? "1" : "0");
  if (d.pdu.distributed_sak) line += " distributed-kn=" + std::to_string(d.pdu.distributed_sak->key_number);
  if (d.pdu.sak_use && d.pdu.sak_use->has_keys) line += " latest-kn=" + std::to_string(d.pdu.sak_use->latest_kn);
  log(LogLevel::Debug, line);
}

void MkaController::apply(std::vector<mka::Event>& events, Clock::time_point now) {
  for (auto& ev : events) {
    if (auto* s = std::get_if<mka::SendMkpdu>(&ev)) {
      // Only ever on the wire port, outside the SecY: MKPDUs are not protected (802.1X-2020 11.11).
      if (!port_.send_frame(s->frame)) ++send_failed_;
      log_sent(s->frame);
    } else if (auto* rx = std::get_if<mka::InstallRxSak>(&ev)) {
      HeldKey k{rx->id, rx->cipher_suite, std::move(rx->sak), {}, rx->salt, {}};
      for (const auto& p : rx->peer_sscis) k.peer_sscis[sci_value(p.sci)] = p.ssci;
      keys_[rx->an] = std::move(k);
      for (uint64_t sci : live_peers_) install_rx_for(sci, rx->an);
      log(LogLevel::Info, "MKA: SAK " + kn_text(rx->id) + " on AN " + std::to_string(rx->an) + " installed for receive");
    } else if (auto* tx = std::get_if<mka::InstallTxSak>(&ev)) {
      // Make before break: every live peer's receive SA for this SAK is in place (the participant
      // says so only once every peer reports it receives with it); then transmission switches.
      ike::ChildKeysReady k;
      k.suite = macsec_suite(tx->cipher_suite);
      k.key_id = key_id_of(tx->id);
      k.outbound.sci = own_sci_;
      k.outbound.an = tx->an;
      k.outbound.key = std::move(tx->sak);
      k.outbound.ssci = tx->ssci;  // 0 unless XPN
      k.outbound.salt = salt_for(tx->cipher_suite, tx->salt);
      sink_.install_tx(k);
      if (sink_.switch_tx(tx->an)) {
        tx_an_ = tx->an;
        ++rotations_;
        threshold_rekeyed_ = false;
        failure_.reset();  // secured again: an earlier failure is history
        failure_detail_.reset();
        failure_hint_.reset();
        log(LogLevel::Info, "MKA: transmitting with SAK " + kn_text(tx->id) + " on AN " + std::to_string(tx->an),
            {{"KEY_NUMBER", std::to_string(tx->id.kn)}, {"AN", std::to_string(tx->an)}});
      }
    } else if (auto* r = std::get_if<mka::RetireSak>(&ev)) {
      auto it = keys_.find(r->an);
      if (it != keys_.end() && it->second.id == r->id) {
        for (uint64_t sci : it->second.rx_scis) sink_.retire_rx(sci, r->an);
        keys_.erase(it);
      }
      if (tx_an_ == r->an) {
        // The participant drops the key we transmit with only when no live peer is left: fail
        // closed (must-secure), nothing leaves until a new SAK is in use.
        sink_.retire_tx(r->an);
        tx_an_.reset();
        log(LogLevel::Warning, "MKA: SAK " + kn_text(r->id) + " retired while in use: no transmit SA (must-secure)");
      } else {
        sink_.retire_tx(r->an);  // an old transmit SA (a no-op when there is none)
        log(LogLevel::Info, "MKA: SAK " + kn_text(r->id) + " on AN " + std::to_string(r->an) + " retired");
      }
    } else if (auto* live = std::get_if<mka::PeerLive>(&ev)) {
      const uint64_t sci = sci_value(live->sci);
      live_peers_.insert(sci);
      for (const auto& [an, key] : keys_) install_rx_for(sci, an);
      char b[17];
      std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(sci));
      log(LogLevel::Info, "MKA: peer " + to_hex(live->mi, false) + " (SCI " + b + ") is live");
    } else if (auto* lost = std::get_if<mka::PeerLost>(&ev)) {
      const uint64_t sci = sci_value(lost->sci);
      live_peers_.erase(sci);
      for (auto& [an, key] : keys_) {
        if (key.rx_scis.erase(sci) != 0) sink_.retire_rx(sci, an);
      }
      failure_ = std::string(kPeerLostName);
      failure_detail_ = "peer " + to_hex(lost->mi, false) + " sent no MKPDU for " +
                        std::to_string(setup_.participant.life_time.count()) + " ms";
      failure_hint_ = std::string(kPeerLostHint);
      failure_at_ = now;
      log(LogLevel::Warning, "MKA: " + *failure_detail_ + ": peer lost", {{"REASON", std::string(kPeerLostName)}});
    } else if (auto* f = std::get_if<mka::Failure>(&ev)) {
      failure_ = std::string(mka_failure_name(f->reason));
      failure_detail_ = f->detail;
      failure_hint_ = std::string(mka_failure_hint(f->reason));
      failure_at_ = now;
      log(LogLevel::Warning, "MKA: " + *failure_ + ": " + f->detail + " (" + *failure_hint_ + ")",
          {{"REASON", *failure_}});
    }
  }
  events.clear();
}

MkaView MkaController::view() const {
  MkaView v;
  const auto chain = chain_.status();
  const mka::ChainParticipantStatus* shown = nullptr;
  for (const auto& ca : chain.participants) {
    MkaCaView c{ca.ckn, ca.fallback, ca.transmitting, 0, ca.status.key_server};
    c.live_peers = static_cast<size_t>(std::count_if(ca.status.peers.begin(), ca.status.peers.end(),
                                                     [](const mka::PeerView& p) { return p.live; }));
    v.cas.push_back(std::move(c));
    // The transmitting CA; else a primary before the fallback.
    if (shown == nullptr || ca.transmitting || (!shown->transmitting && shown->fallback && !ca.fallback)) shown = &ca;
  }
  if (shown != nullptr) {
    v.participant = shown->status;
    v.ckn = shown->ckn;
    v.fallback = shown->fallback;
  }
  v.ca_rollovers = chain.counters.rollovers;
  v.fallback_activations = chain.counters.fallback_activations;
  v.sci = own_sci_;
  v.cipher_suite = setup_.participant.cipher_suite;
  v.key_server_priority = setup_.participant.key_server_priority;
  v.tx_an = tx_an_;
  v.rotations = rotations_;
  v.secured = tx_an_.has_value();
  v.failure = failure_;
  v.failure_detail = failure_detail_;
  v.failure_hint = failure_hint_;
  v.failure_at = failure_at_;
  v.frames_dropped_on_send = send_failed_;
  return v;
}

}  // namespace linkcrypt::mka_keying
