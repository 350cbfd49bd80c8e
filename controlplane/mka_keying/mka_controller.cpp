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
  return suite == mka::kGcmAes256 ? ike::MacsecSuite::GcmAes256 : ike::MacsecSuite::GcmAes128;
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
  mka::ParticipantConfig cfg;
  cfg.ckn = setup.participant.ckn;
  cfg.cak = setup.participant.cak.clone();
  cfg.key_server_priority = setup.participant.key_server_priority;
  cfg.sci = setup.participant.sci;
  cfg.own_mac = setup.participant.own_mac;
  cfg.group_address = setup.participant.group_address;
  cfg.cipher_suite = setup.participant.cipher_suite;
  cfg.hello_time = setup.participant.hello_time;
  cfg.life_time = setup.participant.life_time;
  cfg.rekey_interval = setup.participant.rekey_interval;
  auto p = mka::Participant::create(std::move(cfg));
  if (!p) {
    err = "MKA: the CAK, CKN, cipher suite or times cannot be used (802.1X-2020 9.3.1)";
    return nullptr;
  }
  setup.participant.cak = SecretBytes();  // the participant holds the CAK; no second copy here
  return std::unique_ptr<MkaController>(new MkaController(std::move(setup), std::move(*p), port, sink));
}

MkaController::MkaController(MkaSetup setup, mka::Participant p, transport::KxPort& port, keying::KeySink& sink)
    : setup_(std::move(setup)), participant_(std::move(p)), port_(port), sink_(sink),
      own_sci_(sci_value(setup_.participant.sci)) {}

void MkaController::log(LogLevel level, std::string text, std::vector<LogField> fields) const {
  if (setup_.log) setup_.log(LogEvent{level, std::move(text), std::move(fields)});
}

void MkaController::start(Clock::time_point now) {
  const auto s = participant_.status();
  log(LogLevel::Info, "MKA: member " + to_hex(s.mi, false) + " for CKN " + to_hex(setup_.participant.ckn, false) +
                          ", key server priority " + std::to_string(setup_.participant.key_server_priority) +
                          ", suite " + mka_cipher_suite_name(setup_.participant.cipher_suite));
  events_.clear();
  participant_.start(now, events_);
  apply(events_, now);
}

void MkaController::tick(Clock::time_point now) {
  frames_.clear();
  port_.receive_frames(frames_, 64);
  events_.clear();
  for (const auto& f : frames_) participant_.receive(f, now, events_);
  if (now >= participant_.next_deadline()) participant_.tick(now, events_);
  // 802.1AE 10.5.2: the transmit SA's PN reached its threshold: the key server distributes a new
  // SAK (once per SA; a non-key-server waits for the key server's own threshold).
  if (tx_an_ && sink_.tx_threshold_reached()) {
    if (!threshold_rekeyed_ && participant_.rekey(now, events_)) {
      log(LogLevel::Info, "MKA: transmit PN reached rekey-pn-threshold: distributing a new SAK", {{"REASON", "PnThreshold"}});
    }
    threshold_rekeyed_ = true;
  }
  apply(events_, now);
}

std::string MkaController::rekey(Clock::time_point now) {
  events_.clear();
  const bool ok = participant_.rekey(now, events_);
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
      HeldKey k{rx->id, rx->cipher_suite, std::move(rx->sak), {}};
      keys_[rx->an] = std::move(k);
      for (const auto& [mi, sci] : live_peers_) install_rx_for(sci, rx->an);
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
      live_peers_[live->mi] = sci;
      for (const auto& [an, key] : keys_) install_rx_for(sci, an);
      char b[17];
      std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(sci));
      log(LogLevel::Info, "MKA: peer " + to_hex(live->mi, false) + " (SCI " + b + ") is live");
    } else if (auto* lost = std::get_if<mka::PeerLost>(&ev)) {
      const uint64_t sci = sci_value(lost->sci);
      live_peers_.erase(lost->mi);
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
  v.participant = participant_.status();
  v.ckn = setup_.participant.ckn;
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
