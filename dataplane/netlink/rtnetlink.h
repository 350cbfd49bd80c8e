// rtnetlink link messages: build RTM_GETLINK/RTM_SETLINK requests, parse RTM_NEWLINK/DELLINK replies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace linkcrypt::netlink {

// What the daemon needs of one kernel interface (rtnetlink(7), struct ifinfomsg + IFLA_*).
struct LinkInfo {
  uint32_t if_index = 0;
  std::string name;        // IFLA_IFNAME ("" when absent)
  uint32_t mtu = 0;        // IFLA_MTU (0 when absent)
  uint8_t operstate = 0;   // IFLA_OPERSTATE (RFC 2863: 0 unknown, 2 down, 6 up, ...)
  bool admin_up = false;   // IFF_UP: the operator's switch
  bool running = false;    // IFF_RUNNING: operstate up (or unknown, as for tap devices)
  bool carrier = false;    // IFF_LOWER_UP: the driver has a carrier (veth: the peer is up)
  bool deleted = false;    // an RTM_DELLINK: the interface is gone

  // Frames move only when the operator brought it up and the kernel considers it running.
  [[nodiscard]] bool link_up() const { return admin_up && running; }
};

// RFC 2863 ifOperStatus names as `ip link` prints them ("UP", "LOWERLAYERDOWN", ...).
[[nodiscard]] const char* operstate_name(uint8_t operstate);

// Why a datagram was refused (as a whole: nothing in it is used).
enum class ParseError {
  None,
  Malformed,    // a message or attribute length runs past its container, or is too short
  BadAttribute, // IFLA_MTU / IFLA_OPERSTATE / IFLA_IFNAME with the wrong size or no NUL
  KernelError,  // an NLMSG_ERROR with a non-zero error (error_code holds it, positive errno)
  WrongSequence // a reply to another request (sequence or port id mismatch)
};
[[nodiscard]] const char* parse_error_name(ParseError e);

// The result of parsing one recv()'d datagram: the link messages in it, whether it ended a
// request (NLMSG_DONE or an acknowledgement) and any error.
struct ParsedDatagram {
  ParseError error = ParseError::None;
  int error_code = 0;        // errno from the kernel's NLMSG_ERROR
  bool done = false;         // NLMSG_DONE or an ACK (NLMSG_ERROR with error 0) was seen
  std::vector<LinkInfo> links;
};

// Parses every netlink message in buf (one datagram). seq/portid 0 accept any (multicast
// notifications carry seq 0); otherwise each message must carry them. Messages other than
// RTM_NEWLINK/RTM_DELLINK, NLMSG_ERROR and NLMSG_DONE are skipped; unknown attributes too.
// Never reads outside buf; buf needs no particular alignment.
[[nodiscard]] ParsedDatagram parse_datagram(std::span<const uint8_t> buf, uint32_t seq, uint32_t portid);

// Request builders. Each writes one message into out (at least kRequestBufferLen octets) and
// returns its length. Both ask for an acknowledgement (NLM_F_ACK) so errors come back.
inline constexpr size_t kRequestBufferLen = 256;
[[nodiscard]] size_t build_getlink(std::span<uint8_t> out, uint32_t seq, uint32_t if_index);
// RTM_NEWLINK on an existing interface (the rtnetlink way to "set link"): mtu (0: unchanged)
// and, if bring_up, IFF_UP.
[[nodiscard]] size_t build_setlink(std::span<uint8_t> out, uint32_t seq, uint32_t if_index, uint32_t mtu,
                                   bool bring_up);

// Test helper and fuzz seed builder: an RTM_NEWLINK (or RTM_DELLINK) message as the kernel
// sends it, with the attributes of info that are set.
[[nodiscard]] std::vector<uint8_t> build_link_message(const LinkInfo& info, uint32_t seq, uint32_t portid);

}  // namespace linkcrypt::netlink
