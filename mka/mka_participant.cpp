// The participant's rules: liveness by MI/MN (9.4), key server election (9.5), SAK distribution and
// make-before-break use (9.8, 9.9), peer life (9.4.3). Where 802.1X-2020 leaves a choice, the choice
// of wpa_supplicant's src/pae/ieee802_1x_kay.c is named in a comment.
#include "mka_participant.h"

#include <openssl/rand.h>

#include <algorithm>

#include "hex.h"

namespace linkcrypt::mka {
namespace {

size_t sak_len_of(uint64_t suite) { return suite == kGcmAes256 || suite == kGcmAesXpn256 ? 32 : 16; }

// The Distributed SAK's Confidentiality Offset field (802.1X-2020 Table 11-6): 0 would mean "no
// confidentiality", so offset 0 is code 1 (wpa_supplicant's src/pae: CONFIDENTIALITY_OFFSET_0 = 1).
uint8_t offset_code(const ParticipantConfig& c) {
  if (!c.confidentiality) return 0;
  return c.confidentiality_offset == 50 ? 3 : c.confidentiality_offset == 30 ? 2 : 1;
}
std::string offset_text(uint8_t code) {
  switch (code) {
    case 0: return "none (integrity only)";
    case 1: return "0";
    case 2: return "30";
    default: return "50";
  }
}

bool suite_supported(uint64_t suite) {
  return suite == kGcmAes128 || suite == kGcmAes256 || suite == kGcmAesXpn128 || suite == kGcmAesXpn256;
}

std::string suite_text(uint64_t suite) {
  if (suite == kGcmAes128) return "GCM-AES-128";
  if (suite == kGcmAes256) return "GCM-AES-256";
  if (suite == kGcmAesXpn128) return "GCM-AES-XPN-128";
  if (suite == kGcmAesXpn256) return "GCM-AES-XPN-256";
  return "0x" + to_hex(std::array<uint8_t, 8>{static_cast<uint8_t>(suite >> 56), static_cast<uint8_t>(suite >> 48),
                                              static_cast<uint8_t>(suite >> 40), static_cast<uint8_t>(suite >> 32),
                                              static_cast<uint8_t>(suite >> 24), static_cast<uint8_t>(suite >> 16),
                                              static_cast<uint8_t>(suite >> 8), static_cast<uint8_t>(suite)},
                       false);
}

// Lower priority value wins, then the lower SCI (9.5.1).
bool ranks_before(uint8_t prio_a, const std::array<uint8_t, 8>& sci_a, uint8_t prio_b, const std::array<uint8_t, 8>& sci_b) {
  return prio_a != prio_b ? prio_a < prio_b : sci_a < sci_b;
}

}  // namespace

ParticipantConfig settings_of(const ParticipantConfig& cfg) {
  ParticipantConfig c;
  c.key_server_priority = cfg.key_server_priority;
  c.sci = cfg.sci;
  c.own_mac = cfg.own_mac;
  c.group_address = cfg.group_address;
  c.cipher_suite = cfg.cipher_suite;
  c.hello_time = cfg.hello_time;
  c.life_time = cfg.life_time;
  c.rekey_interval = cfg.rekey_interval;
  c.confidentiality = cfg.confidentiality;
  c.confidentiality_offset = cfg.confidentiality_offset;
  return c;
}

std::optional<Participant> Participant::create(ParticipantConfig cfg) {
  if (cfg.ckn.empty() || cfg.ckn.size() > kMaxCknLen) return std::nullopt;
  if (cfg.cak.size() != 16 && cfg.cak.size() != 32) return std::nullopt;
  if (!suite_supported(cfg.cipher_suite)) return std::nullopt;
  if (cfg.hello_time.count() <= 0 || cfg.life_time <= cfg.hello_time) return std::nullopt;
  Participant p(std::move(cfg));
  auto ick = derive_ick(p.cfg_.cak.view(), p.cfg_.ckn);
  auto kek = derive_kek(p.cfg_.cak.view(), p.cfg_.ckn);
  if (!ick || !kek || RAND_bytes(p.mi_.data(), static_cast<int>(p.mi_.size())) != 1) return std::nullopt;
  p.ick_ = std::move(*ick);
  p.kek_ = std::move(*kek);
  return p;
}

Participant::Participant(ParticipantConfig cfg) : cfg_(std::move(cfg)) {}

void Participant::start(TimePoint now, std::vector<Event>& out) {
  last_ok_ = now;
  elect(now, out);
  send(now, out);
}

Mkpdu Participant::build() const {
  Mkpdu p;
  p.basic.key_server_priority = cfg_.key_server_priority;
  p.basic.key_server = key_server_;
  p.basic.macsec_desired = true;
  p.basic.macsec_capability = 3;  // integrity and confidentiality with offsets 0, 30 and 50 (Table 11-1)
  p.basic.sci = cfg_.sci;
  p.basic.mi = mi_;
  p.basic.mn = mn_;
  p.basic.ckn = cfg_.ckn;
  std::vector<PeerEntry> live, potential;
  for (const auto& peer : peers_) (peer.view.live ? live : potential).push_back({peer.view.mi, peer.view.mn});
  const bool xpn = is_xpn(cfg_.cipher_suite);
  if (xpn && key_server_) {
    // MKA version 3 (802.1X-2020 11.11.2): the key server lists the live MIs in SSCI order and
    // names its own SSCI in the Live Peer List's second octet.
    const auto order = sscis();
    auto rank = [&](const MemberIdentifier& mi) {
      for (const auto& peer : peers_)
        if (peer.view.mi == mi) return ssci_of(order, peer.view.sci);
      return 0u;
    };
    std::stable_sort(live.begin(), live.end(), [&](const PeerEntry& x, const PeerEntry& y) { return rank(x.mi) < rank(y.mi); });
    p.key_server_ssci = static_cast<uint8_t>(ssci_of(order, cfg_.sci));
  }
  // Like wpa_supplicant, a list is sent only when it has members.
  if (!live.empty()) p.live_peers = std::move(live);
  if (!potential.empty()) p.potential_peers = std::move(potential);
  if (latest_) {
    SakUse u;
    u.has_keys = true;
    u.latest_an = latest_->an;
    u.latest_tx = latest_->tx;
    u.latest_rx = latest_->rx;
    u.latest_server_mi = latest_->id.ks_mi;
    u.latest_kn = latest_->id.kn;
    u.latest_lowest_pn = pn_low(latest_->lowest_pn);
    if (old_) {
      u.old_an = old_->an;
      u.old_tx = old_->tx;
      u.old_rx = old_->rx;
      u.old_server_mi = old_->id.ks_mi;
      u.old_kn = old_->id.kn;
      u.old_lowest_pn = pn_low(old_->lowest_pn);
    }
    p.sak_use = u;
    if (xpn) {
      XpnSet x;
      x.latest_lowest_pn_high = pn_high(latest_->lowest_pn);
      if (old_) x.old_lowest_pn_high = pn_high(old_->lowest_pn);
      p.xpn = x;
    }
  }
  if (key_server_ && distributing_) p.distributed_sak = distributing_;
  return p;
}

void Participant::send(TimePoint now, std::vector<Event>& out) {
  ++mn_;
  auto frame = encode_mkpdu(build(), cfg_.group_address, cfg_.own_mac, ick_.view());
  next_hello_ = now + cfg_.hello_time;
  if (!frame) return;
  sent_.emplace_back(now, mn_);
  while (sent_.size() > 1 && sent_.front().first + cfg_.life_time < now) sent_.pop_front();
  ++counters_.mkpdus_sent;
  out.push_back(SendMkpdu{std::move(*frame)});
}

void Participant::receive(std::span<const uint8_t> frame, TimePoint now, std::vector<Event>& out) {
  ++counters_.mkpdus_received;
  DecodedMkpdu d;
  if (decode_mkpdu(frame, d) != MkpduError::None) {
    ++counters_.malformed;
    return;
  }
  if (d.pdu.basic.mi == mi_) {
    ++counters_.own_looped;
    return;
  }
  if (d.pdu.basic.ckn != cfg_.ckn) {
    ++counters_.other_ckn;
    report(MkaFailure::CknMismatch,
           "MKPDU for CKN " + to_hex(d.pdu.basic.ckn, false) + " received, ours is " + to_hex(cfg_.ckn, false), out);
    return;
  }
  if (!mkpdu_icv_ok(d, ick_.view())) {
    ++counters_.bad_icv;
    report(MkaFailure::CakMismatch, "MKPDU ICV mismatch for CKN " + to_hex(cfg_.ckn, false), out);
    return;
  }
  ++counters_.mkpdus_valid;
  handle(d, now, out);
}

bool Participant::lists_us_recently(const Mkpdu& p) const {
  // 9.4.2: our MI with an MN no older than those we sent during the last MKA Life Time.
  const uint32_t oldest = sent_.empty() ? mn_ : sent_.front().second;
  for (const auto* list : {&p.live_peers, &p.potential_peers}) {
    if (!*list) continue;
    for (const auto& e : **list)
      if (e.mi == mi_ && e.mn >= oldest && e.mn <= mn_) return true;
  }
  return false;
}

void Participant::update_peer(const Mkpdu& p, TimePoint now, std::vector<Event>& out, bool& changed) {
  auto it = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& q) { return q.view.mi == p.basic.mi; });
  if (it == peers_.end()) {
    peers_.push_back(Peer{});
    it = peers_.end() - 1;
    it->view.mi = p.basic.mi;
    changed = true;
  }
  it->view.mn = p.basic.mn;
  it->view.sci = p.basic.sci;
  it->view.priority = p.basic.key_server_priority;
  it->view.key_server = p.basic.key_server;
  it->expires = now + cfg_.life_time;
  it->sak_use = p.sak_use;
  if (p.sak_use && p.sak_use->has_keys)
    it->view.latest_lowest_pn = pn_join(p.xpn ? p.xpn->latest_lowest_pn_high : 0, p.sak_use->latest_lowest_pn);
  if (!it->view.live && lists_us_recently(p)) {
    it->view.live = true;
    changed = true;
    out.push_back(PeerLive{it->view.mi, it->view.sci});
  }
}

void Participant::handle(const DecodedMkpdu& d, TimePoint now, std::vector<Event>& out) {
  const Mkpdu& p = d.pdu;
  const auto known = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& q) { return q.view.mi == p.basic.mi; });
  if (known != peers_.end() && p.basic.mn <= known->view.mn) {
    ++counters_.replayed_mn;  // 9.4.2: an MN that does not increase is a replay
    return;
  }
  const size_t live_before = live_count();
  bool changed = false;
  update_peer(p, now, out, changed);
  if (live_count() != live_before) {
    const bool was_key_server = key_server_;
    elect(now, out);
    // A new live peer gets a fresh SAK that names it (9.8.1), as wpa_supplicant does.
    if (key_server_ && was_key_server) distribute(now, out);
  }
  if (p.distributed_sak && !key_server_) {
    const Peer* ks = elected_peer();
    if (ks != nullptr && ks->view.mi == p.basic.mi && ks->view.live) {
      accept_distributed(*ks, *p.distributed_sak, out);
      changed = true;
    } else {
      ++counters_.from_unknown_key_server;
    }
  }
  const bool tx_before = latest_ && latest_->tx;
  advance_keys(out);
  note_progress(now);
  if (changed || (latest_ && latest_->tx) != tx_before) send(now, out);
}

void Participant::elect(TimePoint now, std::vector<Event>& out) {
  bool self_best = cfg_.key_server_priority != 0xFF;
  for (const auto& peer : peers_) {
    if (!peer.view.live || peer.view.priority == 0xFF) continue;
    if (!self_best || ranks_before(peer.view.priority, peer.view.sci, cfg_.key_server_priority, cfg_.sci)) {
      self_best = false;
      break;
    }
  }
  const bool became = self_best && !key_server_;
  key_server_ = self_best;
  if (!key_server_) {
    distributing_.reset();
    next_rekey_ = TimePoint::max();
  }
  if (became && live_count() > 0) distribute(now, out);
}

const Participant::Peer* Participant::elected_peer() const {
  const Peer* best = nullptr;
  for (const auto& peer : peers_) {
    if (!peer.view.live || peer.view.priority == 0xFF) continue;
    if (best == nullptr || ranks_before(peer.view.priority, peer.view.sci, best->view.priority, best->view.sci))
      best = &peer;
  }
  if (best != nullptr && cfg_.key_server_priority != 0xFF &&
      ranks_before(cfg_.key_server_priority, cfg_.sci, best->view.priority, best->view.sci))
    return nullptr;  // we are the key server
  return best;
}

std::vector<SsciOf> Participant::sscis() const {
  std::vector<Sci> live;
  for (const auto& peer : peers_)
    if (peer.view.live) live.push_back(peer.view.sci);
  return assign_sscis(cfg_.sci, live);
}

InstallRxSak Participant::rx_install(const Key& key) const {
  InstallRxSak r{key.id, key.an, key.cipher_suite, key.sak.clone(), key.salt, {}};
  if (is_xpn(key.cipher_suite)) {
    for (const auto& a : sscis())
      if (a.sci != cfg_.sci) r.peer_sscis.push_back(a);
  }
  return r;
}

void Participant::set_lowest_pn(const KeyIdentifier& id, uint64_t lowest_pn, TimePoint now, std::vector<Event>& out) {
  Key* k = latest_ && latest_->id == id ? &*latest_ : old_ && old_->id == id ? &*old_ : nullptr;
  if (k == nullptr) return;
  k->lowest_pn = std::max<uint64_t>(lowest_pn, 1);
  // PN exhaustion (9.8): the key server replaces the latest key before its PN space runs out.
  if (key_server_ && k == &*latest_ && k->lowest_pn > pn_exhaustion(k->cipher_suite) && !distributing_)
    distribute(now, out);
}

size_t Participant::live_count() const {
  return static_cast<size_t>(std::count_if(peers_.begin(), peers_.end(), [](const Peer& p) { return p.view.live; }));
}

void Participant::distribute(TimePoint now, std::vector<Event>& out) {
  if (!key_server_ || live_count() == 0) return;
  const size_t len = sak_len_of(cfg_.cipher_suite);
  SecretBytes nonce(len);
  if (RAND_bytes(nonce.mut().data(), static_cast<int>(len)) != 1) return;
  std::vector<std::span<const uint8_t, kMiLen>> mis{std::span<const uint8_t, kMiLen>(mi_)};
  for (const auto& peer : peers_)
    if (peer.view.live) mis.emplace_back(peer.view.mi);
  const uint32_t kn = next_kn_++;
  auto sak = derive_sak(cfg_.cak.view(), nonce.view(), mis, kn, len);
  if (!sak) return;
  auto wrapped = aes_key_wrap(kek_.view(), sak->view());
  if (!wrapped) return;
  Key key;
  key.id = {mi_, kn};
  // The next AN after the latest key's, skipping those another CA of the keychain uses.
  key.an = latest_ ? static_cast<uint8_t>((latest_->an + 1) % 4) : 0;
  for (int i = 0; i < 4 && ((busy_ans_ >> key.an) & 1U) != 0; ++i) key.an = static_cast<uint8_t>((key.an + 1) % 4);
  key.cipher_suite = cfg_.cipher_suite;
  key.sak = std::move(*sak);
  if (is_xpn(key.cipher_suite)) key.salt = xpn_salt(key.id.ks_mi, kn);
  DistributedSak d;
  d.an = key.an;
  d.key_number = kn;
  if (cfg_.cipher_suite != kGcmAes128) d.cipher_suite = cfg_.cipher_suite;
  d.confidentiality_offset = offset_code(cfg_);
  d.wrapped_sak = std::move(*wrapped);
  distributing_ = std::move(d);
  if (old_) out.push_back(RetireSak{old_->id, old_->an});
  old_ = std::move(latest_);
  out.push_back(rx_install(key));
  latest_ = std::move(key);
  ++counters_.saks_distributed;
  next_rekey_ = cfg_.rekey_interval.count() > 0 ? now + cfg_.rekey_interval : TimePoint::max();
  send(now, out);
}

void Participant::accept_distributed(const Peer& from, const DistributedSak& d, std::vector<Event>& out) {
  if (d.wrapped_sak.empty()) return;  // plain text: the key server does not want MACsec
  const uint64_t suite = d.cipher_suite.value_or(kGcmAes128);
  if (suite != cfg_.cipher_suite) {
    report(MkaFailure::CipherMismatch,
           "key server distributes " + suite_text(suite) + ", we are configured for " + suite_text(cfg_.cipher_suite), out);
    return;
  }
  if (d.confidentiality_offset != offset_code(cfg_)) {
    report(MkaFailure::CipherMismatch,
           "key server distributes confidentiality offset " + offset_text(d.confidentiality_offset) +
               ", we are configured for " + offset_text(offset_code(cfg_)),
           out);
    return;
  }
  const KeyIdentifier id{from.view.mi, d.key_number};
  if ((latest_ && latest_->id == id) || (old_ && old_->id == id)) return;
  auto sak = aes_key_unwrap(kek_.view(), d.wrapped_sak);
  if (!sak || sak->size() != sak_len_of(suite)) {
    report(MkaFailure::CakMismatch, "Distributed SAK does not unwrap with our KEK for CKN " + to_hex(cfg_.ckn, false), out);
    return;
  }
  Key key;
  key.id = id;
  key.an = d.an;
  key.cipher_suite = suite;
  key.sak = std::move(*sak);
  if (is_xpn(suite)) key.salt = xpn_salt(id.ks_mi, id.kn);
  if (old_) out.push_back(RetireSak{old_->id, old_->an});
  old_ = std::move(latest_);
  out.push_back(rx_install(key));
  latest_ = std::move(key);
  ++counters_.saks_installed;
}

bool Participant::peers_use_latest(bool need_tx) const {
  if (!latest_) return false;
  return std::all_of(peers_.begin(), peers_.end(), [&](const Peer& p) {
    if (!p.view.live) return true;
    const auto& u = p.sak_use;
    return u && u->has_keys && u->latest_server_mi == latest_->id.ks_mi && u->latest_kn == latest_->id.kn &&
           u->latest_rx && (!need_tx || u->latest_tx);
  });
}

bool Participant::latest_in_use_by_all() const {
  return latest_ && latest_->tx && live_count() > 0 && peers_use_latest(true);
}

uint8_t Participant::ans_in_use() const {
  uint8_t m = 0;
  if (latest_) m |= static_cast<uint8_t>(1U << latest_->an);
  if (old_) m |= static_cast<uint8_t>(1U << old_->an);
  return m;
}

std::optional<InstallTxSak> Participant::current_tx() const {
  if (!latest_ || !latest_->tx) return std::nullopt;
  InstallTxSak t{latest_->id, latest_->an, latest_->cipher_suite, latest_->sak.clone(), latest_->salt, 0};
  if (is_xpn(t.cipher_suite)) t.ssci = ssci_of(sscis(), cfg_.sci);
  return t;
}

void Participant::stop(std::vector<Event>& out) {
  drop_all_keys(out);
  key_server_ = false;
  next_rekey_ = TimePoint::max();
}

void Participant::advance_keys(std::vector<Event>& out) {
  if (!latest_ || live_count() == 0) return;
  auto peers_use = [&](bool need_tx) { return peers_use_latest(need_tx); };
  // Make before break: transmit with the latest key once every live peer receives with it.
  if (!latest_->tx && peers_use(false)) {
    latest_->tx = true;
    if (old_) old_->tx = false;
    out.push_back(*current_tx());
  }
  // The key server stops sending the SAK once every live peer has it.
  if (key_server_ && distributing_ && peers_use(false)) distributing_.reset();
  // The old key goes once every live peer transmits with the latest.
  if (old_ && latest_->tx && peers_use(true)) {
    out.push_back(RetireSak{old_->id, old_->an});
    old_.reset();
  }
}

void Participant::drop_all_keys(std::vector<Event>& out) {
  if (old_) out.push_back(RetireSak{old_->id, old_->an});
  if (latest_) out.push_back(RetireSak{latest_->id, latest_->an});
  old_.reset();
  latest_.reset();
  distributing_.reset();
}

void Participant::report(MkaFailure reason, std::string detail, std::vector<Event>& out) {
  if (last_failure_ && last_failure_->reason == reason && last_failure_->detail == detail) return;
  last_failure_ = Failure{reason, detail};
  out.push_back(Failure{reason, std::move(detail)});
}

void Participant::note_progress(TimePoint now) {
  if (live_count() > 0 && latest_ && latest_->tx) last_ok_ = now;
}

// The watchdog (issue 14; not in 802.1X-2020, whose state machines assume they cannot get
// stuck): wpa_supplicant is known to hang with a live peer but no SAK in use. After one MKA Life
// Time without a live peer and a SAK in use, we start over as a new participant; a peer sees a
// new MI and the CA forms again from scratch, which 9.4 handles like any other newcomer.
void Participant::restart(TimePoint now, std::vector<Event>& out) {
  drop_all_keys(out);
  for (const auto& p : peers_)
    if (p.view.live) out.push_back(PeerLost{p.view.mi, p.view.sci});
  peers_.clear();
  sent_.clear();
  key_server_ = false;
  next_rekey_ = TimePoint::max();
  // A fresh MI, so MN can count from 1 again; without one (no CSPRNG output) the MI and MN go on.
  if (RAND_bytes(mi_.data(), static_cast<int>(mi_.size())) == 1) mn_ = 0;
  next_kn_ = 1;
  ++counters_.watchdog_restarts;
  start(now, out);
}

void Participant::tick(TimePoint now, std::vector<Event>& out) {
  note_progress(now);
  if (now - last_ok_ > cfg_.life_time) {
    restart(now, out);
    return;
  }
  const size_t live_before = live_count();
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (it->expires > now) {
      ++it;
      continue;
    }
    if (it->view.live) out.push_back(PeerLost{it->view.mi, it->view.sci});
    it = peers_.erase(it);
  }
  if (live_count() != live_before) {
    elect(now, out);
    // Fail closed: with no live peer left, no SAK stays installed (9.4.3).
    if (live_count() == 0) drop_all_keys(out);
  }
  if (key_server_ && now >= next_rekey_) distribute(now, out);
  advance_keys(out);
  note_progress(now);
  if (now >= next_hello_) send(now, out);
}

bool Participant::rekey(TimePoint now, std::vector<Event>& out) {
  if (!key_server_ || live_count() == 0) return false;
  distribute(now, out);
  return true;
}

TimePoint Participant::next_deadline() const {
  TimePoint t = std::min({next_hello_, next_rekey_, last_ok_ + cfg_.life_time + Millis(1)});
  for (const auto& p : peers_) t = std::min(t, p.expires);
  return t;
}

ParticipantStatus Participant::status() const {
  ParticipantStatus s;
  s.mi = mi_;
  s.mn = mn_;
  s.key_server = key_server_;
  for (const auto& p : peers_) s.peers.push_back(p.view);
  if (latest_) {
    s.latest_key = latest_->id;
    s.latest_an = latest_->an;
    s.latest_tx = latest_->tx;
    s.latest_rx = latest_->rx;
    s.latest_lowest_pn = latest_->lowest_pn;
  }
  if (old_) s.old_key = old_->id;
  s.last_failure = last_failure_;
  s.counters = counters_;
  return s;
}

}  // namespace linkcrypt::mka
