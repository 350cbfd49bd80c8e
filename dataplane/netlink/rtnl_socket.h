// An rtnetlink socket (libmnl, RAII): synchronous link requests, and link notifications drained without blocking.
#pragma once

#include "rtnetlink.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct mnl_socket;

namespace linkcrypt::netlink {

struct MnlSocketClose {
  void operator()(mnl_socket* s) const;
};
using MnlSocketPtr = std::unique_ptr<mnl_socket, MnlSocketClose>;

class RtnlSocket {
 public:
  // A request socket (blocking, answers within the call) or, with follow_links, a non-blocking
  // socket subscribed to RTNLGRP_LINK for drain(). nullptr and err on failure.
  static std::unique_ptr<RtnlSocket> open(bool follow_links, std::string& err);

  // RTM_GETLINK for one interface. nullopt and err (e.g. "No such device") on failure.
  std::optional<LinkInfo> get_link(uint32_t if_index, std::string& err);
  // Sets the MTU (0: unchanged) and, if bring_up, IFF_UP; waits for the kernel's ack.
  bool set_link(uint32_t if_index, uint32_t mtu, bool bring_up, std::string& err);

  // follow_links sockets: every link notification queued since the last call (never blocks).
  // Datagrams refused (by the parser, truncated, or not from the kernel) and lost ones (ENOBUFS:
  // the queue overflowed) are counted; after either the caller should re-read the links it
  // follows with get_link.
  std::vector<LinkInfo> drain();
  [[nodiscard]] uint64_t refused() const { return refused_; }
  [[nodiscard]] uint64_t overflows() const { return overflows_; }
  [[nodiscard]] int fd() const;

 private:
  explicit RtnlSocket(MnlSocketPtr s) : sock_(std::move(s)) {}
  bool request(std::span<const uint8_t> msg, uint32_t seq, std::vector<LinkInfo>* out, std::string& err);
  // recv() into buf_ of one datagram sent by the kernel (nl_pid 0); 0 when nothing is queued,
  // -1 on error.
  ssize_t receive(bool wait);

  static constexpr size_t kReceiveBufferLen = 64 * 1024;
  MnlSocketPtr sock_;
  std::vector<uint8_t> buf_;  // reused: drain() runs every event-loop tick
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  uint64_t refused_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace linkcrypt::netlink
