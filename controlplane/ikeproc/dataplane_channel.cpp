// DataplaneChannel: the IKE process's KxPort and KeySink over its socketpair to the dataplane.
#include "dataplane_channel.h"

#include <poll.h>

#include <cerrno>

#include "seqpacket.h"

namespace linkcrypt::ikeproc {
namespace {
constexpr size_t kMaxKxQueued = 256;  // frames between two ticks; more is a flood (counted)
}

bool DataplaneChannel::send(ipc::KeyingMsg type, const ipc::KeyingMessage& m) {
  if (closed_) return false;
  auto bytes = ipc::encode(type, ++seq_, m);
  const auto r = ipc::send_message(fd_.get(), bytes);
  ipc::wipe(bytes);  // an InstallSa's SAK: this was the process's last copy of it
  if (r == ipc::SendResult::WouldBlock) ++counters_.tx_would_block;
  if (r == ipc::SendResult::Closed) closed_ = true;
  return r == ipc::SendResult::Sent;
}

std::optional<transport::MacAddress> DataplaneChannel::wait_hello() {
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) return std::nullopt;
    if (!service([] {})) return std::nullopt;
    if (mac_ != transport::MacAddress{}) return mac_;
  }
}

bool DataplaneChannel::service(const std::function<void()>& on_rekey) {
  while (!closed_) {
    const auto r = ipc::receive_message(fd_.get(), buf_, ipc::kMaxKeyingFrame);
    if (r == ipc::RecvResult::Empty) break;
    if (r == ipc::RecvResult::Closed) {
      closed_ = true;
      break;
    }
    ++counters_.rx_messages;
    auto d = ipc::parse(buf_);
    if (!d || !ipc::from_dataplane(d->type)) {
      ++counters_.rx_malformed;
      continue;
    }
    on_message(*d, on_rekey);
  }
  return !closed_;
}

void DataplaneChannel::on_message(ipc::Decoded& d, const std::function<void()>& on_rekey) {
  if (auto* h = std::get_if<ipc::Hello>(&d.msg)) {
    mac_ = h->mac;
  } else if (auto* f = std::get_if<ipc::KxFrame>(&d.msg)) {
    if (kx_in_.size() >= kMaxKxQueued) {
      ++counters_.rx_kx_dropped;
      return;
    }
    kx_in_.push_back(std::move(f->frame));
  } else if (auto* c = std::get_if<ipc::Counters>(&d.msg)) {
    last_ = std::move(*c);
  } else if (std::holds_alternative<ipc::RekeyRequest>(d.msg)) {
    on_rekey();
  }
}

size_t DataplaneChannel::receive_frames(std::vector<std::vector<uint8_t>>& out, size_t max) {
  size_t n = 0;
  while (n < max && !kx_in_.empty()) {
    out.push_back(std::move(kx_in_.front()));
    kx_in_.pop_front();
    ++n;
  }
  return n;
}

bool DataplaneChannel::send_frame(std::span<const uint8_t> frame) {
  if (frame.empty() || frame.size() > ipc::kMaxKxFrame) return false;
  return send(ipc::KeyingMsg::KxOut, ipc::KxFrame{{frame.begin(), frame.end()}});
}

void DataplaneChannel::install(bool tx, const ike::ChildKeysReady& k, const ike::DirectionKeys& d) {
  if (d.key.empty()) {
    // forget_keys_after_install: a rekey-collision survivor, already handed over.
    send(ipc::KeyingMsg::ReinstallSa, ipc::ReinstallSa{tx, k.key_id});
    return;
  }
  ipc::InstallSa s;
  s.tx = tx;
  s.suite = k.suite;
  s.key_id = k.key_id;
  s.sci = d.sci;
  s.an = d.an;
  s.ssci = d.ssci;
  s.sak = d.key.clone();
  if (!d.salt.empty()) s.salt = d.salt.clone();
  send(ipc::KeyingMsg::InstallSa, ipc::KeyingMessage{std::move(s)});
}

void DataplaneChannel::install_rx(const ike::ChildKeysReady& k) { install(false, k, k.inbound); }

void DataplaneChannel::install_tx(const ike::ChildKeysReady& k) {
  install(true, k, k.outbound);
  tx_installed_.insert(k.outbound.an);
}

bool DataplaneChannel::switch_tx(uint8_t an) {
  if (!tx_installed_.contains(an)) return false;
  return send(ipc::KeyingMsg::SwitchTx, ipc::SwitchTx{an});
}

void DataplaneChannel::retire_tx(uint8_t an) {
  tx_installed_.erase(an);
  send(ipc::KeyingMsg::RetireTx, ipc::RetireTx{an});
}

void DataplaneChannel::retire_rx(uint64_t sci, uint8_t an) { send(ipc::KeyingMsg::RetireRx, ipc::RetireRx{sci, an}); }

uint64_t DataplaneChannel::rx_ok(uint64_t sci, uint8_t an) const {
  for (const auto& s : last_.sas) {
    if (!s.tx && s.sci == sci && s.an == an) return s.value;
  }
  return 0;
}

uint64_t DataplaneChannel::tx_octets(uint8_t an) const {
  for (const auto& s : last_.sas) {
    if (s.tx && s.an == an) return s.value;
  }
  return 0;
}

}  // namespace linkcrypt::ikeproc
