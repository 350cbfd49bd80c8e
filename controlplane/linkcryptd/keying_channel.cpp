// KeyingChannel: the dataplane process's end of the split (keying_channel.h).
#include "keying_channel.h"

#include "api/commands.h"
#include "api/hex_id.h"
#include "daemon_log.h"
#include "keying_controller.h"
#include "seqpacket.h"

namespace linkcrypt::daemon {
namespace {
using Clock = std::chrono::steady_clock;
constexpr size_t kHeld = 8;         // two children's rx and tx, twice over
constexpr size_t kKxPerTick = 64;
}  // namespace

KeyingChannel::KeyingChannel(dpdk::Dataplane& dp, DataplaneKeySink& sink, UniqueFd supervisor,
                             std::chrono::milliseconds retire_grace)
    : dp_(dp), sink_(sink), supervisor_(std::move(supervisor)), retire_grace_(retire_grace) {}

void KeyingChannel::send(ipc::KeyingMsg t, const ipc::KeyingMessage& m) {
  if (!ike_.valid()) return;
  const auto r = ipc::send_message(ike_.get(), ipc::encode(t, ++seq_, m));
  if (r == ipc::SendResult::WouldBlock && t == ipc::KeyingMsg::KxIn) ++counters_.kx_dropped;
  if (r == ipc::SendResult::Closed) lost_channel("closed its channel");
}

void KeyingChannel::accept_channel() {
  for (;;) {
    const int fd = ipc::receive_fd(supervisor_.get());
    if (fd == -1) return;
    if (fd == -2) {
      // The supervisor is gone: PR_SET_PDEATHSIG ends this process as well; say why meanwhile.
      log(LogLevel::Error, "the supervisor closed its socket");
      supervisor_.reset();
      return;
    }
    ike_.reset(fd);
    ++counters_.channels;
    mine_.clear();
    switched_since_connect_ = false;
    status_.reset();
    ipc::Hello h;
    h.mac = DataplaneKxPort(dp_).mac();
    send(ipc::KeyingMsg::Hello, h);
    log(LogLevel::Info, "IKE process connected (channel " + std::to_string(counters_.channels) + ")");
  }
}

void KeyingChannel::lost_channel(const char* why) {
  if (!ike_.valid()) return;
  ike_.reset();
  const auto rep = dp_.sa().report();
  log(LogLevel::Warning, std::string("the IKE process ") + why + ": keeping " + std::to_string(rep.tx.size()) +
                             " transmit and " + std::to_string(rep.rx_sa.size()) +
                             " receive SAs (must-secure) until a new one re-keys");
}

void KeyingChannel::tick() {
  if (supervisor_.valid()) accept_channel();
  // Punted key-exchange frames: to the IKE process, or dropped (counted) while there is none.
  kx_.clear();
  (void)dp_.receive_kx(kx_, kKxPerTick);
  for (auto& f : kx_) {
    if (!ike_.valid() || f.empty() || f.size() > ipc::kMaxKxFrame) {
      ++counters_.kx_dropped;
      continue;
    }
    send(ipc::KeyingMsg::KxIn, ipc::KxFrame{std::move(f)});
  }
  while (ike_.valid()) {
    const auto r = ipc::receive_message(ike_.get(), buf_, ipc::kMaxKeyingFrame);
    if (r == ipc::RecvResult::Empty) break;
    if (r == ipc::RecvResult::Closed) {
      lost_channel("is gone");
      break;
    }
    auto d = ipc::parse(buf_);
    ipc::wipe(buf_);  // an InstallSa's SAK: only SaControl and held_ keep it
    if (!d || ipc::from_dataplane(d->type)) {
      ++counters_.rx_malformed;
      continue;
    }
    on_message(*d);
  }
  const auto now = Clock::now();
  std::erase_if(retire_at_, [&](const auto& e) {
    if (now < e.first) return false;
    dp_.sa().retire_rx_sa(std::get<1>(e.second), std::get<2>(e.second));
    return true;
  });
  if (ike_.valid()) {
    ipc::Counters c;
    c.drops = sink_.drops();
    c.tx_threshold_reached = dp_.sa().tx_threshold_reached();
    const auto rep = dp_.sa().report();
    for (const auto& t : rep.tx) {
      c.sas.push_back({true, 0, t.an, t.counters.out_octets_protected + t.counters.out_octets_encrypted});
    }
    for (const auto& r : rep.rx_sa) c.sas.push_back({false, r.sci, r.an, r.counters.in_pkts_ok});
    send(ipc::KeyingMsg::Counters, c);
  }
}

void KeyingChannel::apply(bool tx, const ike::ChildKeysReady& k) {
  try {
    if (tx) {
      sink_.install_tx(k);
      mine_.insert({true, 0, k.outbound.an});
    } else {
      sink_.install_rx(k);
      mine_.insert({false, k.inbound.sci, k.inbound.an});
      std::erase_if(retire_at_, [&](const auto& e) { return e.second == SaKey{false, k.inbound.sci, k.inbound.an}; });
    }
  } catch (const std::exception& e) {
    ++counters_.rejected_installs;
    log(LogLevel::Error, std::string("SA install from the IKE process refused: ") + e.what());
  }
}

void KeyingChannel::install(ipc::InstallSa& s) {
  ike::ChildKeysReady k;
  k.suite = s.suite;
  k.key_id = s.key_id;
  ike::DirectionKeys& d = s.tx ? k.outbound : k.inbound;
  d.sci = s.sci;
  d.an = s.an;
  d.ssci = s.ssci;
  d.key = std::move(s.sak);
  d.salt = std::move(s.salt);
  apply(s.tx, k);
  held_.push_back(Held{s.tx, s.key_id, std::move(k)});
  if (held_.size() > kHeld) held_.pop_front();
}

void KeyingChannel::retire_previous() {
  // The first switch of a new IKE process: what the previous one installed goes.
  const auto rep = dp_.sa().report();
  for (const auto& t : rep.tx) {
    if (!mine_.contains({true, 0, t.an})) dp_.sa().retire_tx_sa(t.an);
  }
  for (const auto& r : rep.rx_sa) {
    if (!mine_.contains({false, r.sci, r.an})) retire_at_.push_back({Clock::now() + retire_grace_, {false, r.sci, r.an}});
  }
}

void KeyingChannel::on_message(ipc::Decoded& d) {
  if (auto* s = std::get_if<ipc::InstallSa>(&d.msg)) {
    install(*s);
  } else if (auto* s = std::get_if<ipc::ReinstallSa>(&d.msg)) {
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
      if (it->tx == s->tx && it->key_id == s->key_id) {
        apply(s->tx, it->keys);
        return;
      }
    }
    ++counters_.rejected_installs;
    log(LogLevel::Error, "the IKE process asked to reinstall a key id the dataplane does not hold");
  } else if (auto* s = std::get_if<ipc::SwitchTx>(&d.msg)) {
    if (!dp_.sa().switch_tx_an(s->an)) ++counters_.rejected_installs;
    if (!switched_since_connect_) {
      switched_since_connect_ = true;
      retire_previous();
    }
  } else if (auto* s = std::get_if<ipc::RetireTx>(&d.msg)) {
    dp_.sa().retire_tx_sa(s->an);
    mine_.erase({true, 0, s->an});
  } else if (auto* s = std::get_if<ipc::RetireRx>(&d.msg)) {
    dp_.sa().retire_rx_sa(s->sci, s->an);
    mine_.erase({false, s->sci, s->an});
  } else if (auto* s = std::get_if<ipc::Status>(&d.msg)) {
    if (s->ike_spis) {  // the workers' priority for our own IKE SA (issue 15)
      kxclass::KnownIkeSas t;
      t.sas[0] = kxclass::IkeSaSpis{s->ike_spis->first, s->ike_spis->second};
      t.count = 1;
      dp_.set_known_ike_sas(t);
    }
    status_ = std::move(*s);
  } else if (auto* f = std::get_if<ipc::KxFrame>(&d.msg)) {
    (void)dp_.send_kx(f->frame);  // a full kx ring: IKE retransmits
  }
}

control::Reply KeyingChannel::handle(const control::Request& r, ControlHandlers& handlers) {
  if (r.cmd == "status") {
    api::StatusResult o = handlers.status();
    o.transport = status_ ? status_->transport : "inband";
    if (status_) {
      o.state = keying::link_state_name(static_cast<keying::LinkState>(status_->link_state));
      o.tx_an = status_->tx_an;
      if (status_->tx_key_id) o.tx_key_id = api::hex_id(*status_->tx_key_id);
      o.rotations = status_->rotations;
      o.peer_id = status_->peer_id;
      o.ike_state = ike_.valid() ? status_->ike_state : "no IKE process (restarting; SAs kept)";
      o.role = status_->initiator ? "initiator" : "responder";
      if (!status_->failure.empty()) {
        o.failure = status_->failure;
        o.failure_hint = status_->failure_hint;
        o.failure_s_ago = status_->failure_s_ago;
      }
    } else {
      o.state = "keying";
      o.ike_state = ike_.valid() ? "starting" : "no IKE process (starting)";
    }
    return control::Reply::success(api::to_json_value(o));
  }
  if (r.cmd == "peer") {
    if (!status_) return control::Reply::failure(control::ErrorCode::kUnavailable, "the IKE process has not reported yet");
    api::PeerResult p;
    p.ike_state = status_->ike_state;
    p.peer_id = status_->peer_id;
    return control::Reply::success(api::to_json_value(p));
  }
  if (r.cmd == "rekey") {
    if (!ike_.valid() || !status_) return control::Reply::failure(control::ErrorCode::kUnavailable, "no IKE process is running (it is being restarted)");
    if (status_->link_state != static_cast<uint8_t>(keying::LinkState::Secured)) {
      return control::Reply::failure(control::ErrorCode::kUnavailable, "the link is not secured");
    }
    if (status_->rotation_in_progress) return control::Reply::failure(control::ErrorCode::kUnavailable, "a rotation is in progress");
    send(ipc::KeyingMsg::RekeyRequest, ipc::RekeyRequest{});
    return control::Reply::success(api::to_json_value(api::RekeyResult{true}));
  }
  return handlers.handle(r);
}

}  // namespace linkcrypt::daemon
