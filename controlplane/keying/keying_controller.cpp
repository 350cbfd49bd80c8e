// The keying controller's state machine: connect/accept, make-before-break, triggers, back-off.
#include "keying_controller.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "ike_names.h"

namespace linkcrypt::keying {
namespace {

constexpr uint8_t kExchangeIkeSaInit = 34;  // RFC 7296 3.1
constexpr size_t kReceiveBurst = 64;

std::string key_id_hex(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, id);
  return buf;
}

std::string identity_text(const ike::Identity& id) {
  if (id.type == ike::IdType::Ipv4Addr && id.data.size() == 4) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", id.data[0], id.data[1], id.data[2], id.data[3]);
    return buf;
  }
  return std::string(id.data.begin(), id.data.end());
}

// Identities, proposals and endpoints from `base`; credentials and IKE timers from `creds`
// (the same config, or a reloaded one). Secrets are shared, never copied.
std::shared_ptr<ike::Config> compose(const ike::Config& base, const ike::Config& creds, ike::Role role) {
  auto c = std::make_shared<ike::Config>();
  c->role = role;
  c->local_id = base.local_id;
  c->remote_id = base.remote_id;
  c->auth.method = creds.auth.method;
  c->auth.key = creds.auth.key;  // one holder of the long-term key, shared
  // Shared, not copied: one copy of a secret in memory, however many sessions refer to it.
  c->auth.psk = creds.auth.psk.share();
  c->auth.private_key_pem = creds.auth.private_key_pem.share();
  c->auth.peer_public_key_der = creds.auth.peer_public_key_der;
  c->auth.local_cert_der = creds.auth.local_cert_der;
  c->auth.ca_cert_der = creds.auth.ca_cert_der;
  c->auth.cert_check_time = creds.auth.cert_check_time;
  c->ike_proposals = base.ike_proposals;
  c->child = base.child;
  c->timers = creds.timers;
  c->local = base.local;
  c->remote = base.remote;
  return c;
}

std::shared_ptr<const ike::Config> with_role(const ike::Config& base, ike::Role role) {
  return compose(base, base, role);
}

}  // namespace

bool auto_role_is_initiator(const ike::Identity& local, const ike::Identity& peer) {
  return std::lexicographical_compare(local.data.begin(), local.data.end(), peer.data.begin(),
                                      peer.data.end());
}

std::string_view link_state_name(LinkState s) {
  switch (s) {
    case LinkState::Down: return "down";
    case LinkState::Keying: return "keying";
    case LinkState::Secured: return "secured";
    case LinkState::Failed: return "failed";
  }
  return "down";
}

std::string_view sa_state_name(SaState s) {
  switch (s) {
    case SaState::Active: return "active";
    case SaState::Standby: return "standby";
    case SaState::Retiring: return "retiring";
  }
  return "standby";
}

KeyingController::KeyingController(KeyingSetup setup, transport::Transport& transport, KeySink& sink)
    : setup_(std::move(setup)),
      transport_(transport),
      sink_(sink),
      backoff_(setup_.policy.reconnect_min) {
  init_cfg_ = with_role(*setup_.ike, ike::Role::Initiator);
  resp_cfg_ = with_role(*setup_.ike, ike::Role::Responder);
  if (!setup_.initiator) responder_ = std::make_unique<ike::Responder>(resp_cfg_, setup_.responder_limits);
  if (setup_.ike->remote_id) peer_.peer_id = identity_text(*setup_.ike->remote_id);
}

KeyingController::~KeyingController() = default;

void KeyingController::log(LogLevel level, std::string line, std::vector<LogField> fields) const {
  if (setup_.log) setup_.log(LogEvent{level, std::move(line), std::move(fields)});
}

int64_t KeyingController::unix_now() const {
  if (setup_.unix_now) return setup_.unix_now();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<uint64_t> KeyingController::tx_key_id() const {
  for (const auto& e : sas_) {
    if (e.tx && e.state == SaState::Active) return e.key_id;
  }
  return std::nullopt;
}

std::string KeyingController::ike_state() const {
  if (session_) return std::string(ike::session_state_name(session_->state()));
  if (!candidates_.empty()) return "responding";
  return setup_.initiator ? "connecting" : "waiting-for-peer";
}

ike::SessionCounters KeyingController::session_counters() const {
  return session_ ? session_->counters() : ike::SessionCounters{};
}

std::optional<std::pair<uint64_t, uint64_t>> KeyingController::ike_sa_spis() const {
  if (!session_ || session_->spi_i() == 0) return std::nullopt;
  return std::make_pair(session_->spi_i(), session_->spi_r());
}

const ike::ResponderCounters* KeyingController::responder_counters() const {
  return responder_ ? &responder_->counters() : nullptr;
}

void KeyingController::connect(TimePoint now) {
  reconnect_at_.reset();
  session_ = std::make_unique<ike::Session>(init_cfg_);
  ++counters_.connects;
  state_ = LinkState::Keying;
  log(LogLevel::Info, "ike connecting to peer " + peer_.peer_id, {{"PEER", peer_.peer_id}});
  handle(session_->start(now), session_.get(), now);
}

void KeyingController::tick(TimePoint now) {
  inbox_.clear();
  transport_.receive(inbox_, kReceiveBurst);
  for (const auto& m : inbox_) receive(m, now);

  if (setup_.initiator && !closing_ && !session_ && (!reconnect_at_ || *reconnect_at_ <= now)) connect(now);

  if (session_) {
    const auto d = session_->next_deadline();
    if (d && *d <= now) handle(session_->on_timer(now), session_.get(), now);
  }
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const auto d = candidates_[i]->next_deadline();
    if (d && *d <= now) handle(candidates_[i]->on_timer(now), candidates_[i].get(), now);
  }

  if (pending_) {
    if (sink_.rx_ok(pending_->rx_sci, pending_->rx_an) > 0) {
      switch_tx(now, false);
    } else if (now >= pending_->deadline) {
      switch_tx(now, true);
    }
  }
  if (closing_) return;  // stopping: only the Delete exchange is served
  retire_due(now);
  check_triggers(now);
}

void KeyingController::receive(const transport::InboundMessage& m, TimePoint now) {
  ++counters_.rx_messages;
  const auto h = ike::peek_header(m.ike);
  if (!h) {
    ++counters_.rx_unparsable;
    return;
  }
  if (session_ && session_->owns(*h)) {
    handle(session_->on_message(m.ike, now), session_.get(), now);
    return;
  }
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (candidates_[i]->owns(*h)) {
      handle(candidates_[i]->on_message(m.ike, now), candidates_[i].get(), now);
      return;
    }
  }
  // RFC 7296 2.6: only the responder side accepts a new IKE_SA_INIT. A half-open session stays
  // a candidate until it authenticates, so bogus INITs never disturb the established IKE SA.
  if (responder_ && h->exchange == kExchangeIkeSaInit && !h->is_response && h->spi_r == 0) {
    auto r = responder_->on_init(m.ike, m.from.address.empty() ? transport_.peer_endpoint() : m.from, now);
    ike::Session* s = r.session.get();
    if (r.session) {
      candidates_.push_back(std::move(r.session));
      // The Responder refuses INITs at the limit; this only guards against a drifting count.
      if (candidates_.size() > setup_.responder_limits.half_open_limit) {
        candidates_.erase(candidates_.begin());
        ++counters_.candidates_dropped;
      }
    }
    handle(std::move(r.out), s, now);
    return;
  }
  ++counters_.rx_unrouted;
}

void KeyingController::handle(ike::Output out, ike::Session* from, TimePoint now) {
  // Events first, then the messages: an answer carrying new child keys must not leave before its
  // receive SA is installed (design.md §4 step 2). The peer transmits with the new SA as soon as
  // the answer arrives (step 3), which on a busy machine can be before we got back to the events.
  for (auto& ev : out.events) on_event(ev, from, now);
  for (const auto& d : out.send) transport_.send(d);
  // Half-open sessions that failed or timed out are forgotten.
  const auto before = candidates_.size();
  std::erase_if(candidates_, [](const auto& c) {
    return c->state() == ike::SessionState::Failed || c->state() == ike::SessionState::Closed;
  });
  counters_.candidates_dropped += before - candidates_.size();
  if (session_ && (session_->state() == ike::SessionState::Failed ||
                   session_->state() == ike::SessionState::Closed)) {
    link_down(LinkLoss::IkeDeleted, "the IKE SA ended", false, now);
  }
}

void KeyingController::promote(ike::Session* candidate, TimePoint now) {
  auto it = std::find_if(candidates_.begin(), candidates_.end(),
                         [&](const auto& c) { return c.get() == candidate; });
  if (it == candidates_.end()) return;
  auto s = std::move(*it);
  candidates_.erase(it);
  if (session_) {
    // The peer authenticated a new IKE SA: it restarted, so our old keys are gone on its side.
    log(LogLevel::Notice, "ike peer re-established: replacing the old IKE SA", {{"PEER", peer_.peer_id}});
    drop_tx(now);
    for (auto& e : sas_) {
      if (!e.tx && !e.retire_at) {
        e.state = SaState::Retiring;
        e.retire_at = now + setup_.policy.retire_grace;
      }
    }
    pending_.reset();
    rotation_.reset();
  }
  session_ = std::move(s);
}

void KeyingController::on_event(ike::Event& ev, ike::Session*& from, TimePoint now) {
  const bool from_candidate = from != session_.get();
  if (auto* up = std::get_if<ike::IkeUp>(&ev)) {
    if (from_candidate) promote(from, now);
    if (peer_.last_failure && !peer_.last_failure->resolved_at) peer_.last_failure->resolved_at = now;
    ++counters_.established;
    peer_.peer_id = identity_text(up->peer_id);
    peer_.algorithms = ike::algorithms_name(*up);
    peer_.last_handshake = now;
    ike_up_at_ = now;
    backoff_ = setup_.policy.reconnect_min;
    if (state_ != LinkState::Secured) state_ = LinkState::Keying;
    peer_.ppk_id = up->ppk_id;
    if (up->ppk_fallback) {
      // ppk-required = false: the link comes up, but only as strong as its ECDHE (RFC 8784 3).
      log(LogLevel::Warning,
          "ike SA with " + peer_.peer_id +
              " is not PPK-protected: the peer used no post-quantum preshared key of ours (ppk-required = false)",
          {{"PEER", peer_.peer_id}, {"REASON", "ppk-fallback"}});
    }
    log(LogLevel::Notice,
        "ike SA established with " + peer_.peer_id + " (" + peer_.algorithms +
            (peer_.ppk_id.empty() ? std::string() : ", PPK " + peer_.ppk_id) + ")",
        {{"PEER", peer_.peer_id}, {"ALGORITHMS", peer_.algorithms}});
  } else if (auto* k = std::get_if<ike::ChildKeysReady>(&ev)) {
    if (from_candidate) promote(from, now);
    if (peer_.last_failure && !peer_.last_failure->resolved_at) peer_.last_failure->resolved_at = now;
    if (k->kind == ike::ChildKind::Macsec) on_child_ready(*k, now);
  } else if (auto* rk = std::get_if<ike::ChildRekeyed>(&ev)) {
    (void)rk;  // old RX SAs are retired by the grace timer after the switch
  } else if (std::get_if<ike::IkeRekeyed>(&ev)) {
    ++peer_.ike_rekeys;
    ike_up_at_ = now;
    log(LogLevel::Info, "ike SA rekeyed", {{"PEER", peer_.peer_id}});
  } else if (auto* del = std::get_if<ike::Deleted>(&ev)) {
    if (from_candidate) return;
    if (del->ike) {
      link_down(LinkLoss::IkeDeleted, del->by_peer ? "the peer deleted the IKE SA" : "IKE SA deleted",
                del->by_peer, now);
    } else {
      on_child_deleted(del->child_inbound_spi, now);
    }
  } else if (std::get_if<ike::PeerDead>(&ev)) {
    if (!from_candidate) link_down(LinkLoss::PeerDead, "no answer to liveness checks", false, now);
  } else if (const auto* un = std::get_if<ike::UntrustedNotify>(&ev)) {
    on_untrusted_notify(un->notify_type, now);
  } else if (auto* f = std::get_if<ike::Failed>(&ev)) {
    Failure fail{f->reason, f->detail, f->by_peer, now, std::nullopt};
    const std::string reason(ike::fail_reason_name(f->reason));
    if (f->proposals) {
      fail.detail += " (ours:";
      for (const auto& p : f->proposals->local_offer) fail.detail += " " + p;
      fail.detail += "; peer's:";
      for (const auto& p : f->proposals->peer_offer) fail.detail += " " + p;
      fail.detail += ")";
    }
    // An operator must act on these (wrong key, proposals, certificates): above link events.
    log(LogLevel::Error, "ike failure " + reason + ": " + fail.detail + (f->by_peer ? " (reported by the peer)" : ""),
        {{"REASON", reason}, {"PEER", peer_.peer_id}, {"BY_PEER", f->by_peer ? "1" : "0"}});
    peer_.last_failure = fail;
    if (!from_candidate && session_ && session_->established()) {
      // A refused rekey keeps the IKE SA (docs/keyexchange.md): the rotation is abandoned.
      if (rotation_) {
        rotation_.reset();
        ++counters_.rotations_abandoned;
      }
    } else if (!from_candidate) {
      link_down(fail.cause, fail.detail, f->by_peer, now);
      peer_.last_failure = fail;  // keep the precise reason, not the generic link loss
    }
  }
}

void KeyingController::on_untrusted_notify(uint16_t notify_type, TimePoint now) {
  ++counters_.untrusted_notifies;
  // Whoever forges them sets the rate: one line a second at most, saying how many it stands for.
  constexpr Millis kLogInterval{1000};
  if (untrusted_logged_at_ && now - *untrusted_logged_at_ < kLogInterval) {
    ++untrusted_unlogged_;
    return;
  }
  const std::string name(ike::notify_type_name(notify_type));
  std::string line = "unauthenticated notify " + name + " received (not trusted)";
  if (untrusted_unlogged_ > 0) line += "; " + std::to_string(untrusted_unlogged_) + " more since the last such line";
  log(LogLevel::Warning, line, {{"NOTIFY", name}, {"PEER", peer_.peer_id}});
  untrusted_logged_at_ = now;
  untrusted_unlogged_ = 0;
}

void KeyingController::on_child_ready(ike::ChildKeysReady& k, TimePoint now) {
  // A newer child while the previous one still waits for its switch: that one is overdue.
  if (pending_) switch_tx(now, true);

  if (k.is_rekey) {
    ++peer_.child_rekeys;
    if (!rotation_) {
      rotation_ = Rotation{RotationReason::Peer, now, unix_now(), sink_.drops(), tx_key_id().value_or(0)};
    }
  }
  last_child_at_ = now;

  // design.md §4 step 2/3: the receive SA first, so the peer may switch as soon as it likes.
  std::erase_if(sas_, [&](const SaEntry& e) {
    return (!e.tx && e.sci == k.inbound.sci && e.an == k.inbound.an) ||
           (e.tx && e.an == k.outbound.an && e.state != SaState::Active);
  });
  sink_.install_rx(k);
  sas_.push_back(SaEntry{false, k.inbound.an, k.inbound.sci, k.key_id, k.inbound.spi,
                         SaState::Active, now, std::nullopt});
  log(LogLevel::Info, "child SA installed key_id=" + key_id_hex(k.key_id) + " an=" + std::to_string(k.inbound.an) +
      " dir=rx", {{"KEY_ID", key_id_hex(k.key_id)}, {"AN", std::to_string(k.inbound.an)}, {"SCI", key_id_hex(k.inbound.sci)}, {"DIR", "rx"}});
  if (tx_an_ && *tx_an_ == k.outbound.an) drop_tx(now);  // never overwrite the SA in use
  sink_.install_tx(k);
  sas_.push_back(SaEntry{true, k.outbound.an, k.outbound.sci, k.key_id, k.inbound.spi,
                         SaState::Standby, now, std::nullopt});
  log(LogLevel::Info, "child SA installed key_id=" + key_id_hex(k.key_id) + " an=" + std::to_string(k.outbound.an) +
      " dir=tx", {{"KEY_ID", key_id_hex(k.key_id)}, {"AN", std::to_string(k.outbound.an)}, {"SCI", key_id_hex(k.outbound.sci)}, {"DIR", "tx"}});

  pending_ = Pending{k.outbound.an, k.inbound.sci, k.inbound.an, k.key_id,
                     now + setup_.policy.switch_timeout};
  // Step 3: the exchange initiator switches at once; step 4: the responder waits for the cue.
  const bool switch_now = k.local_initiated;
  if (setup_.forget_keys_after_install) {
    for (ike::DirectionKeys* d : {&k.inbound, &k.outbound}) {
      d->key = SecretBytes();  // the last handle wipes (secure_free)
      d->salt = SecretBytes();
    }
  }
  recent_.push_back(std::move(k));
  if (recent_.size() > 2) recent_.erase(recent_.begin());
  if (switch_now) switch_tx(now, false);
}

void KeyingController::on_child_deleted(uint32_t inbound_spi, TimePoint now) {
  std::erase_if(recent_, [&](const ike::ChildKeysReady& r) { return r.inbound.spi == inbound_spi; });
  const bool installed = std::any_of(sas_.begin(), sas_.end(), [&](const SaEntry& e) {
    return e.inbound_spi == inbound_spi && e.state != SaState::Retiring;
  });
  if (!installed) return;  // an old child, already retiring after the switch
  // RFC 7296 2.8.1: the deleted child was the redundant one of a collision. Its sibling holds the
  // same AN on both sides; install the sibling so both ends use the same keys again.
  const auto sib = std::find_if(recent_.begin(), recent_.end(), [&](const ike::ChildKeysReady& r) {
    return std::any_of(sas_.begin(), sas_.end(), [&](const SaEntry& e) {
      return e.inbound_spi == inbound_spi && ((e.tx && e.an == r.outbound.an) || (!e.tx && e.an == r.inbound.an));
    });
  });
  if (sib == recent_.end()) {
    for (auto& e : sas_) {
      if (!e.tx && e.inbound_spi == inbound_spi) {
        e.state = SaState::Retiring;
        e.retire_at = now + setup_.policy.retire_grace;
      }
    }
    return;
  }
  log(LogLevel::Notice, "child SA key_id=" + key_id_hex(sib->key_id) + " replaces a redundant sibling (rekey collision)",
      {{"KEY_ID", key_id_hex(sib->key_id)}});
  sink_.install_rx(*sib);
  bool reactivate = false;
  for (auto& e : sas_) {
    if (e.inbound_spi != inbound_spi) continue;
    if (e.tx) {
      sink_.install_tx(*sib);
      reactivate = e.state == SaState::Active;
    }
    e.key_id = sib->key_id;
    e.inbound_spi = sib->inbound.spi;
    e.installed = now;
  }
  if (reactivate) sink_.switch_tx(sib->outbound.an);
  if (pending_ && pending_->tx_an == sib->outbound.an) pending_->key_id = sib->key_id;
}

void KeyingController::switch_tx(TimePoint now, bool timed_out) {
  if (!pending_) return;
  const Pending p = *pending_;
  pending_.reset();
  if (timed_out) ++counters_.tx_switch_timeouts;
  const std::optional<uint64_t> old_key = tx_key_id();
  if (!sink_.switch_tx(p.tx_an)) {
    log(LogLevel::Error, "tx switch failed an=" + std::to_string(p.tx_an), {{"AN", std::to_string(p.tx_an)}, {"DIR", "tx"}});
    return;
  }
  log(LogLevel::Info, "tx switched an=" + std::to_string(p.tx_an) + " key_id=" + key_id_hex(p.key_id) +
      (timed_out ? " (switch timeout)" : ""), {{"KEY_ID", key_id_hex(p.key_id)}, {"AN", std::to_string(p.tx_an)}, {"DIR", "tx"}});
  const std::optional<uint8_t> old_an = tx_an_;
  tx_an_ = p.tx_an;
  if (old_an && *old_an != p.tx_an) {
    sink_.retire_tx(*old_an);
    log(LogLevel::Info, "tx retired an=" + std::to_string(*old_an), {{"AN", std::to_string(*old_an)}, {"DIR", "tx"}});
  }
  std::erase_if(sas_, [&](const SaEntry& e) { return e.tx && e.an != p.tx_an; });
  for (auto& e : sas_) {
    if (e.tx) {
      e.state = SaState::Active;
    } else if (!(e.sci == p.rx_sci && e.an == p.rx_an) && !e.retire_at) {
      // Step 5: frames protected with the old keys may still be in flight.
      e.state = SaState::Retiring;
      e.retire_at = now + setup_.policy.retire_grace;
    }
  }
  state_ = LinkState::Secured;
  if (rotation_) {
    finish_open_record();
    RotationRecord r;
    r.when_unix = rotation_->when_unix;
    r.reason = rotation_->reason;
    r.duration_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<Millis>(now - rotation_->started).count());
    r.frames_dropped = sink_.drops() - rotation_->drops_at_start;
    r.old_key_id = old_key.value_or(rotation_->old_key_id);
    r.new_key_id = p.key_id;
    const uint64_t seq = log_.add(r);
    open_record_ = OpenRecord{seq, rotation_->drops_at_start};
    log(LogLevel::Info, "rotation " + std::string(rotation_reason_name(r.reason)) + " done in " +
        std::to_string(r.duration_ms) + " ms: key_id " + key_id_hex(r.old_key_id) + " -> " +
        key_id_hex(r.new_key_id), {{"KEY_ID", key_id_hex(r.new_key_id)}, {"OLD_KEY_ID", key_id_hex(r.old_key_id)},
        {"REASON", std::string(rotation_reason_name(r.reason))}, {"DURATION_MS", std::to_string(r.duration_ms)},
        {"FRAMES_DROPPED", std::to_string(r.frames_dropped)}});
    rotation_.reset();
  }
}

void KeyingController::finish_open_record() {
  if (!open_record_) return;
  log_.finish(open_record_->seq, sink_.drops() - open_record_->drops_at_start);
  open_record_.reset();
}

void KeyingController::retire_due(TimePoint now) {
  bool any_left = false;
  std::erase_if(sas_, [&](const SaEntry& e) {
    if (e.tx || !e.retire_at) return false;
    if (*e.retire_at > now) {
      any_left = true;
      return false;
    }
    sink_.retire_rx(e.sci, e.an);
    log(LogLevel::Info, "rx retired an=" + std::to_string(e.an) + " key_id=" + key_id_hex(e.key_id),
        {{"KEY_ID", key_id_hex(e.key_id)}, {"AN", std::to_string(e.an)}, {"SCI", key_id_hex(e.sci)}, {"DIR", "rx"}});
    return true;
  });
  // The rotation window ends when the last old receive SA is gone (contract: frames_dropped).
  if (open_record_ && !any_left) finish_open_record();
}

void KeyingController::drop_tx(TimePoint /*now*/) {
  for (const auto& e : sas_) {
    if (e.tx) {
      sink_.retire_tx(e.an);
      log(LogLevel::Info, "tx retired an=" + std::to_string(e.an) + " key_id=" + key_id_hex(e.key_id),
          {{"KEY_ID", key_id_hex(e.key_id)}, {"AN", std::to_string(e.an)}, {"DIR", "tx"}});
    }
  }
  std::erase_if(sas_, [](const SaEntry& e) { return e.tx; });
  tx_an_.reset();
}

void KeyingController::link_down(FailureCause cause, std::string detail, bool by_peer, TimePoint now) {
  const std::string reason(failure_name(cause));
  ++counters_.links_lost;
  peer_.ppk_id.clear();  // no IKE SA, nothing PPK-protected
  // A shutdown we asked for is expected; a lost link is what an operator is paged for.
  log(closing_ ? LogLevel::Notice : LogLevel::Warning,
      "link down: " + reason + " (" + detail + "); must-secure: transmit SA retired",
      {{"REASON", reason}, {"PEER", peer_.peer_id}, {"BY_PEER", by_peer ? "1" : "0"}});
  // Must-secure (design.md §1): without a live peer nothing is sent, not even with old keys.
  drop_tx(now);
  for (auto& e : sas_) {
    if (!e.retire_at) {
      e.state = SaState::Retiring;
      e.retire_at = now + setup_.policy.retire_grace;
    }
  }
  pending_.reset();
  if (rotation_) {
    rotation_.reset();
    ++counters_.rotations_abandoned;
  }
  session_.reset();
  peer_.last_failure = Failure{cause, std::move(detail), by_peer, now, std::nullopt};
  state_ = is_ike_failure(cause) ? LinkState::Failed : LinkState::Down;
  if (setup_.initiator && !closing_) {
    reconnect_at_ = now + backoff_;
    log(LogLevel::Info, "re-establishing in " + std::to_string(backoff_.count()) + " ms", {{"PEER", peer_.peer_id}});
    backoff_ = std::min(backoff_ * 2, setup_.policy.reconnect_max);
  }
}

void KeyingController::check_triggers(TimePoint now) {
  if (rotation_ && now - rotation_->started > setup_.policy.rotation_give_up) {
    rotation_.reset();
    ++counters_.rotations_abandoned;
  }
  if (state_ != LinkState::Secured || !session_ || !session_->established() || rotation_in_progress())
    return;
  const auto& p = setup_.policy;
  const bool pn = sink_.tx_threshold_reached();
  const bool bytes = p.rekey_bytes > 0 && tx_an_ && sink_.tx_octets(*tx_an_) >= p.rekey_bytes;
  if (!pn && !bytes) deferred_trigger_since_.reset();
  // Time triggers belong to the exchange initiator only, so both sides never collide on them.
  if (setup_.initiator && p.rekey_interval.count() > 0 && now - last_child_at_ >= p.rekey_interval) {
    (void)request_rotation(RotationReason::Interval, now);
  } else if (pn || bytes) {
    if (!setup_.initiator) {
      if (!deferred_trigger_since_) deferred_trigger_since_ = now;
      if (now - *deferred_trigger_since_ < p.responder_trigger_delay) return;
    }
    deferred_trigger_since_.reset();
    (void)request_rotation(pn ? RotationReason::PnThreshold : RotationReason::Bytes, now);
  } else if (setup_.initiator && p.ike_rekey_interval.count() > 0 &&
             now - ike_up_at_ >= p.ike_rekey_interval) {
    ike_up_at_ = now;
    handle(session_->rekey_ike(now), session_.get(), now);
  }
}

std::string KeyingController::request_rotation(RotationReason why, TimePoint now) {
  if (!session_ || !session_->established()) return "no IKE SA is established with the peer";
  if (rotation_in_progress()) return "a rotation is already in progress";
  if (!tx_an_) return "no transmit SA yet";
  finish_open_record();
  rotation_ = Rotation{why, now, unix_now(), sink_.drops(), tx_key_id().value_or(0)};
  log(LogLevel::Info, "rotation requested: " + std::string(rotation_reason_name(why)),
      {{"REASON", std::string(rotation_reason_name(why))}});
  handle(session_->rekey_child(now), session_.get(), now);
  return {};
}

bool KeyingController::close(TimePoint now) {
  closing_ = true;
  candidates_.clear();
  if (session_ && session_->established()) {
    log(LogLevel::Notice, "ike deleting the IKE SA (shutdown)", {{"PEER", peer_.peer_id}});
    handle(session_->close(now), session_.get(), now);
    return true;
  }
  session_.reset();  // half-open: nothing the peer must be told
  return false;
}

void KeyingController::reload(const KeyingPolicy& policy, const ike::Config* fresh) {
  if (fresh != nullptr) {
    std::shared_ptr<const ike::Config> base = compose(*setup_.ike, *fresh, setup_.ike->role);
    setup_.ike = base;
    init_cfg_ = with_role(*base, ike::Role::Initiator);
    resp_cfg_ = with_role(*base, ike::Role::Responder);
    if (responder_) responder_->set_config(resp_cfg_);
  }
  setup_.policy = policy;
  backoff_ = std::clamp(backoff_, policy.reconnect_min, policy.reconnect_max);
}

}  // namespace linkcrypt::keying
