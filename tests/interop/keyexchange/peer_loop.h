// ike_udp_peer's event loop: UDP 500/4500, stdin and signals in; the library in the middle.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fault_injection.h"
#include "ike_session.h"
#include "peer_options.h"
#include "udp_socket.h"

namespace linkcrypt::interop {

// Datagrams the transport itself dropped, by reason (printed as COUNTERS at exit).
struct TransportCounters {
  uint64_t rx_datagrams = 0;
  uint64_t rx_esp_dropped = 0;       // ESP on 4500: we carry no ESP traffic
  uint64_t rx_keepalives = 0;        // RFC 3948 2.3 NAT keepalives
  uint64_t rx_bad_frame = 0;         // shorter than the non-ESP marker, or marker only
  uint64_t rx_oversize = 0;          // larger than our receive buffer
  uint64_t rx_unparsable_header = 0; // peek_header refused it
  uint64_t rx_unrouted = 0;          // no session owns it and it is not a new IKE_SA_INIT
  uint64_t tx_failed = 0;
  uint64_t rx_injected_drops = 0;    // --drop-rx
  uint64_t tx_injected_drops = 0;    // --drop-tx
};

class PeerLoop {
 public:
  PeerLoop(PeerOptions opts, std::shared_ptr<const ike::Config> cfg);
  // Runs until the IKE SA is closed (exit 0), fails (exit 2), or start-up fails (exit 1).
  int run();

 private:
  void drain(const UdpSocket& sock, bool nat_port);
  void on_datagram(std::span<const uint8_t> msg, const SocketAddress& from, bool nat_port);
  void route(std::span<const uint8_t> msg, const SocketAddress& from, bool nat_port);
  void on_command(const std::string& cmd);
  void on_stdin();
  void on_signal(int fd);
  void request_close();
  void handle(ike::Output out);
  void check_finished();
  [[nodiscard]] int poll_timeout_ms() const;
  [[nodiscard]] static ike::TimePoint now() { return std::chrono::steady_clock::now(); }

  PeerOptions opts_;
  std::shared_ptr<const ike::Config> cfg_;
  std::optional<UdpSocket> sock500_;
  std::optional<UdpSocket> sock4500_;
  std::unique_ptr<ike::Responder> responder_;
  std::unique_ptr<ike::Session> session_;
  SocketAddress peer_;      // where UDP 500 messages go
  SocketAddress peer_nat_;  // where UDP 4500 messages go (source of the last one received)
  std::vector<uint8_t> rx_buf_;  // one datagram at a time
  bool stdin_open_ = true;
  std::string stdin_buf_;
  bool close_requested_ = false;
  std::optional<ike::TimePoint> close_deadline_;
  bool done_ = false;
  int exit_code_ = 0;
  TransportCounters counters_;
  MessageCounter rx_seen_;  // --drop-rx/--hold-rx/--rekey-child-on-rx numbering
  MessageCounter tx_seen_;  // --drop-tx numbering
  struct Held {
    std::vector<uint8_t> bytes;
    SocketAddress from;
    bool nat_port = false;
  };
  std::optional<Held> held_;  // --hold-rx
};

}  // namespace linkcrypt::interop
