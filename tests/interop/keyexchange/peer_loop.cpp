// ike_udp_peer's event loop: UDP 500/4500, stdin and signals in; the library in the middle.
#include "peer_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <vector>

#include "nat_framing.h"
#include "peer_report.h"

namespace linkcrypt::interop {
using transport::build_nat_frame;
using transport::NatFrame;
using transport::NatFrameKind;
using transport::parse_nat_frame;
namespace {

constexpr uint8_t kExchangeIkeSaInit = 34;  // RFC 7296 3.1
constexpr size_t kMaxDatagramLen = 65536;  // the largest UDP payload
constexpr auto kCloseGrace = std::chrono::seconds(5);

// Signals arrive as readable data on a descriptor, so the loop has one wait point (poll).
class SignalFd {
 public:
  SignalFd() {
    sigemptyset(&mask_);
    for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&mask_, s);
    sigprocmask(SIG_BLOCK, &mask_, nullptr);
    fd_ = signalfd(-1, &mask_, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  ~SignalFd() {
    if (fd_ >= 0) close(fd_);
    sigprocmask(SIG_UNBLOCK, &mask_, nullptr);
  }
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  sigset_t mask_{};
  int fd_ = -1;
};

void emit(const std::string& line) { std::cout << line << std::endl; }

}  // namespace

PeerLoop::PeerLoop(PeerOptions opts, std::shared_ptr<const ike::Config> cfg)
    : opts_(std::move(opts)), cfg_(std::move(cfg)),
      peer_(opts_.remote.with_port(500)), peer_nat_(opts_.remote.with_port(4500)),
      rx_buf_(kMaxDatagramLen) {}

int PeerLoop::run() {
  std::string error;
  sock500_ = UdpSocket::bind_to(opts_.local.with_port(500), error);
  if (sock500_) sock4500_ = UdpSocket::bind_to(opts_.local.with_port(4500), error);
  if (!sock500_ || !sock4500_) {
    std::cerr << "ike_udp_peer: " << error << "\n";
    return 1;
  }
  SignalFd signals;
  if (signals.fd() < 0) {
    std::cerr << "ike_udp_peer: signalfd: " << std::strerror(errno) << "\n";
    return 1;
  }
  if (opts_.role == ike::Role::Initiator) {
    session_ = std::make_unique<ike::Session>(cfg_);
    handle(session_->start(now()));
  } else {
    responder_ = std::make_unique<ike::Responder>(cfg_);
  }
  emit("LISTENING local=" + opts_.local.to_string());

  while (!done_) {
    std::array<pollfd, 4> fds{{{sock500_->fd(), POLLIN, 0},
                               {sock4500_->fd(), POLLIN, 0},
                               {signals.fd(), POLLIN, 0},
                               {stdin_open_ ? STDIN_FILENO : -1, POLLIN, 0}}};
    if (poll(fds.data(), fds.size(), poll_timeout_ms()) < 0 && errno != EINTR) {
      std::cerr << "ike_udp_peer: poll: " << std::strerror(errno) << "\n";
      return 1;
    }
    if (fds[0].revents & POLLIN) drain(*sock500_, false);
    if (fds[1].revents & POLLIN) drain(*sock4500_, true);
    if (fds[2].revents & POLLIN) on_signal(signals.fd());
    if (fds[3].revents & (POLLIN | POLLHUP)) on_stdin();
    if (session_) {
      auto deadline = session_->next_deadline();
      if (deadline && *deadline <= now()) handle(session_->on_timer(now()));
    }
    check_finished();
  }

  const auto& c = counters_;
  std::string line = "COUNTERS rx_datagrams=" + std::to_string(c.rx_datagrams) +
                     " rx_esp_dropped=" + std::to_string(c.rx_esp_dropped) +
                     " rx_keepalives=" + std::to_string(c.rx_keepalives) +
                     " rx_bad_frame=" + std::to_string(c.rx_bad_frame) +
                     " rx_oversize=" + std::to_string(c.rx_oversize) +
                     " rx_unparsable_header=" + std::to_string(c.rx_unparsable_header) +
                     " rx_unrouted=" + std::to_string(c.rx_unrouted) +
                     " tx_failed=" + std::to_string(c.tx_failed) +
                     " rx_injected_drops=" + std::to_string(c.rx_injected_drops) +
                     " tx_injected_drops=" + std::to_string(c.tx_injected_drops);
  if (session_) {
    const auto& s = session_->counters();
    line += " session_rx=" + std::to_string(s.rx_messages) +
            " session_rx_malformed=" + std::to_string(s.rx_malformed) +
            " session_rx_decrypt_failed=" + std::to_string(s.rx_decrypt_failed) +
            " session_rx_unexpected=" + std::to_string(s.rx_unexpected) +
            " session_rx_retransmits=" + std::to_string(s.rx_retransmits) +
            " session_tx_retransmits=" + std::to_string(s.tx_retransmits);
  }
  emit(line);
  return exit_code_;
}

void PeerLoop::drain(const UdpSocket& sock, bool nat_port) {
  std::vector<uint8_t>& buf = rx_buf_;
  SocketAddress from;
  while (auto datagram_len = sock.receive(buf, from)) {
    ++counters_.rx_datagrams;
    if (*datagram_len > buf.size()) {
      ++counters_.rx_oversize;
      continue;
    }
    std::span<const uint8_t> msg(buf.data(), *datagram_len);
    if (nat_port) {
      NatFrame frame = parse_nat_frame(msg);
      if (frame.kind == NatFrameKind::Esp) { ++counters_.rx_esp_dropped; continue; }
      if (frame.kind == NatFrameKind::Keepalive) { ++counters_.rx_keepalives; continue; }
      if (frame.kind == NatFrameKind::Malformed) { ++counters_.rx_bad_frame; continue; }
      msg = frame.ike;
    }
    on_datagram(msg, from, nat_port);
  }
}

void PeerLoop::on_datagram(std::span<const uint8_t> msg, const SocketAddress& from,
                           bool nat_port) {
  auto header = ike::peek_header(msg);
  if (!header) {
    ++counters_.rx_unparsable_header;
    return;
  }
  const uint32_t nth = rx_seen_.count(*header);
  const std::string what = "exchange=" + std::to_string(header->exchange) +
                           " response=" + std::to_string(header->is_response) +
                           " n=" + std::to_string(nth);
  if (picked(opts_.drop_rx, *header, nth)) {
    ++counters_.rx_injected_drops;
    emit("DROPPED rx " + what);
  } else if (picked(opts_.hold_rx, *header, nth)) {
    held_ = Held{{msg.begin(), msg.end()}, from, nat_port};
    emit("HELD " + what);
  } else {
    route(msg, from, nat_port);
  }
  if (picked(opts_.rekey_child_on_rx, *header, nth)) {
    emit("REKEY_ON_RX " + what);
    on_command("rekey-child");  // sends our request, which releases a held message
  }
}

void PeerLoop::route(std::span<const uint8_t> msg, const SocketAddress& from, bool nat_port) {
  auto header = ike::peek_header(msg);
  if (!header) {
    ++counters_.rx_unparsable_header;
    return;
  }
  // RFC 7296 2.23: answer to the address and port the peer's message came from.
  if (opts_.role == ike::Role::Responder) {
    (nat_port ? peer_nat_ : peer_) = from;
  }
  if (session_ && session_->owns(*header)) {
    handle(session_->on_message(msg, now()));
    return;
  }
  bool new_init = header->exchange == kExchangeIkeSaInit && !header->is_response &&
                  header->from_initiator;
  if (responder_ && new_init && (!session_ || !session_->established())) {
    ike::Endpoint remote{from.address_bytes(), from.port()};
    auto result = responder_->on_init(msg, remote, now());
    if (result.session) session_ = std::move(result.session);
    handle(std::move(result.out));
    return;
  }
  ++counters_.rx_unrouted;
}

void PeerLoop::on_command(const std::string& cmd) {
  if (cmd.empty()) return;
  if (cmd == "close" || cmd == "quit") {
    request_close();
  } else if (!session_ || !session_->established()) {
    emit("COMMAND_REFUSED cmd=" + cmd + " reason=no-established-ike-sa");
  } else if (cmd == "rekey-child") {
    handle(session_->rekey_child(now()));
  } else if (cmd == "rekey-ike") {
    handle(session_->rekey_ike(now()));
  } else {
    emit("COMMAND_REFUSED cmd=" + cmd + " reason=unknown");
  }
}

void PeerLoop::on_stdin() {
  char buf[512];
  ssize_t read_len = read(STDIN_FILENO, buf, sizeof buf);
  if (read_len <= 0) {
    // EOF: keep running; the harness closes us with "close" or SIGTERM.
    stdin_open_ = false;
    return;
  }
  stdin_buf_.append(buf, static_cast<size_t>(read_len));
  size_t nl;
  while ((nl = stdin_buf_.find('\n')) != std::string::npos) {
    std::string cmd = stdin_buf_.substr(0, nl);
    stdin_buf_.erase(0, nl + 1);
    while (!cmd.empty() && (cmd.back() == '\r' || cmd.back() == ' ')) cmd.pop_back();
    on_command(cmd);
  }
}

void PeerLoop::on_signal(int fd) {
  signalfd_siginfo info{};
  while (read(fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGUSR1) on_command("rekey-child");
    else if (info.ssi_signo == SIGUSR2) on_command("rekey-ike");
    else request_close();
  }
}

void PeerLoop::request_close() {
  if (close_requested_) return;
  close_requested_ = true;
  close_deadline_ = now() + kCloseGrace;
  if (session_ && session_->established()) {
    handle(session_->close(now()));
  } else {
    done_ = true;
  }
}

void PeerLoop::handle(ike::Output out) {
  for (const auto& event : out.events) emit(format_event(event));
  for (const auto& d : out.send) {
    if (auto h = ike::peek_header(d.bytes)) {
      const uint32_t nth = tx_seen_.count(*h);
      if (picked(opts_.drop_tx, *h, nth)) {
        ++counters_.tx_injected_drops;
        emit("DROPPED tx exchange=" + std::to_string(h->exchange) +
             " response=" + std::to_string(h->is_response) + " n=" + std::to_string(nth));
        continue;
      }
    }
    bool ok = d.to_nat_port ? sock4500_->send_to(build_nat_frame(d.bytes), peer_nat_)
                            : sock500_->send_to(d.bytes, peer_);
    if (!ok) ++counters_.tx_failed;
  }
  // --hold-rx: the held request is delivered once our own next message is on the wire, so
  // the two requests have crossed.
  if (held_ && !out.send.empty()) {
    Held h = std::move(*held_);
    held_.reset();
    emit("RELEASED");
    route(h.bytes, h.from, h.nat_port);
  }
}

void PeerLoop::check_finished() {
  if (session_) {
    auto state = session_->state();
    if (state == ike::SessionState::Closed) {
      emit("CLOSED");
      done_ = true;
    } else if (state == ike::SessionState::Failed) {
      emit("CLOSED failed=1");
      exit_code_ = 2;
      done_ = true;
    }
  }
  if (close_deadline_ && now() >= *close_deadline_) {
    emit("CLOSED timeout=1");
    done_ = true;
  }
}

int PeerLoop::poll_timeout_ms() const {
  std::optional<ike::TimePoint> wake;
  if (session_) wake = session_->next_deadline();
  if (close_deadline_ && (!wake || *close_deadline_ < *wake)) wake = close_deadline_;
  if (!wake) return -1;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wake - now()).count();
  return ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 60000));
}

}  // namespace linkcrypt::interop
