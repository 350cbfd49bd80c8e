// rtnetlink link messages: request builders and a bounds-checked parser (libmnl attribute helpers).
#include "rtnetlink.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cassert>
#include <cstring>

namespace linkcrypt::netlink {
namespace {

// The datagram is copied into 4-aligned storage first: libmnl reads headers and attributes
// in place (NLMSG_ALIGNTO / NLA_ALIGNTO are 4), and a caller's buffer may sit anywhere.
std::vector<uint32_t> aligned_copy(std::span<const uint8_t> buf) {
  std::vector<uint32_t> words((buf.size() + 3) / 4, 0);
  if (!buf.empty()) std::memcpy(words.data(), buf.data(), buf.size());
  return words;
}

// One IFLA_* attribute: only the three we use are read, each after mnl_attr_validate checked
// that its payload has the size its type needs.
bool read_link_attribute(const nlattr* attr, LinkInfo& out) {
  const uint16_t payload_len = mnl_attr_get_payload_len(attr);
  switch (mnl_attr_get_type(attr)) {
    case IFLA_MTU: {
      if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0 || payload_len != sizeof(uint32_t)) return false;
      std::memcpy(&out.mtu, mnl_attr_get_payload(attr), sizeof(uint32_t));
      return true;
    }
    case IFLA_OPERSTATE: {
      if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0) return false;
      std::memcpy(&out.operstate, mnl_attr_get_payload(attr), 1);
      return true;
    }
    case IFLA_IFNAME: {
      // NUL-terminated within its payload (mnl checks the last octet), at most IFNAMSIZ.
      if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 || payload_len > IFNAMSIZ) return false;
      out.name = mnl_attr_get_str(attr);
      return true;
    }
    default:
      return true;  // everything else (stats, AF_SPEC, ...) is not ours to read
  }
}

ParseError parse_link(const nlmsghdr* nlh, LinkInfo& out) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return ParseError::Malformed;
  ifinfomsg ifi{};
  std::memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof ifi);
  out.if_index = ifi.ifi_index > 0 ? static_cast<uint32_t>(ifi.ifi_index) : 0;
  out.admin_up = (ifi.ifi_flags & IFF_UP) != 0;
  out.running = (ifi.ifi_flags & IFF_RUNNING) != 0;
  out.carrier = (ifi.ifi_flags & IFF_LOWER_UP) != 0;
  out.deleted = nlh->nlmsg_type == RTM_DELLINK;
  // As mnl_attr_for_each: stop at the first attribute that does not fit what is left of the
  // message (mnl_attr_ok checks header and nla_len); anything left over is a truncated one.
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  const auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifinfomsg)));
  while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
    if (!read_link_attribute(attr, out)) return ParseError::BadAttribute;
    attr = mnl_attr_next(attr);
  }
  if (tail - reinterpret_cast<const char*>(attr) > 0) return ParseError::Malformed;
  return ParseError::None;
}

}  // namespace

const char* operstate_name(uint8_t operstate) {
  switch (operstate) {
    case IF_OPER_UNKNOWN: return "UNKNOWN";
    case IF_OPER_NOTPRESENT: return "NOTPRESENT";
    case IF_OPER_DOWN: return "DOWN";
    case IF_OPER_LOWERLAYERDOWN: return "LOWERLAYERDOWN";
    case IF_OPER_TESTING: return "TESTING";
    case IF_OPER_DORMANT: return "DORMANT";
    case IF_OPER_UP: return "UP";
    default: return "?";
  }
}

const char* parse_error_name(ParseError e) {
  switch (e) {
    case ParseError::None: return "none";
    case ParseError::Malformed: return "malformed";
    case ParseError::BadAttribute: return "bad-attribute";
    case ParseError::KernelError: return "kernel-error";
    case ParseError::WrongSequence: return "wrong-sequence";
  }
  return "?";
}

ParsedDatagram parse_datagram(std::span<const uint8_t> buf, uint32_t seq, uint32_t portid) {
  ParsedDatagram out;
  const std::vector<uint32_t> words = aligned_copy(buf);
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(words.data());
  int left = buf.size() > INT32_MAX ? 0 : static_cast<int>(buf.size());
  auto fail = [&out](ParseError e) {
    out.error = e;
    out.links.clear();
    return out;
  };
  // A whole header fits and nlmsg_len lies within what is left. Not mnl_nlmsg_ok: it compares
  // (int)nlmsg_len, so a length of 2^31 or more passes as negative (found by the fuzzer).
  const auto fits = [](const nlmsghdr* h, int rest) {
    return rest >= static_cast<int>(sizeof(nlmsghdr)) && h->nlmsg_len >= sizeof(nlmsghdr) &&
           h->nlmsg_len <= static_cast<uint32_t>(rest);
  };
  while (fits(nlh, left)) {
    if ((seq != 0 && nlh->nlmsg_seq != seq) || (portid != 0 && nlh->nlmsg_pid != portid)) {
      return fail(ParseError::WrongSequence);
    }
    switch (nlh->nlmsg_type) {
      case NLMSG_DONE:
        out.done = true;
        break;
      case NLMSG_ERROR: {
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return fail(ParseError::Malformed);
        nlmsgerr err{};
        std::memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
        out.done = true;  // an acknowledgement (error 0) or the refusal of our request
        if (err.error != 0) {
          // Negated in 64 bits: -INT_MIN would overflow (found by the fuzzer).
          const int64_t e = err.error < 0 ? -int64_t{err.error} : int64_t{err.error};
          out.error_code = static_cast<int>(e > INT32_MAX ? INT32_MAX : e);
          return fail(ParseError::KernelError);
        }
        break;
      }
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        LinkInfo info;
        if (const ParseError e = parse_link(nlh, info); e != ParseError::None) return fail(e);
        out.links.push_back(std::move(info));
        break;
      }
      default:
        break;  // NLMSG_NOOP, other rtnetlink families: not ours
    }
    nlh = mnl_nlmsg_next(nlh, &left);
  }
  // Only the alignment padding of the last message may be missing; a partial message is not.
  if (left > 0) return fail(ParseError::Malformed);
  return out;
}

size_t build_getlink(std::span<uint8_t> out, uint32_t seq, uint32_t if_index) {
  assert(out.size() >= kRequestBufferLen);
  std::memset(out.data(), 0, kRequestBufferLen);
  nlmsghdr* nlh = mnl_nlmsg_put_header(out.data());
  nlh->nlmsg_type = RTM_GETLINK;
  // The RTM_NEWLINK answer is followed by an acknowledgement, which ends the exchange.
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = static_cast<int>(if_index);
  // Only what we read: no statistics blocks in the reply (IFLA_EXT_MASK 0).
  mnl_attr_put_u32(nlh, IFLA_EXT_MASK, 0);
  return nlh->nlmsg_len;
}

size_t build_setlink(std::span<uint8_t> out, uint32_t seq, uint32_t if_index, uint32_t mtu, bool bring_up) {
  assert(out.size() >= kRequestBufferLen);
  std::memset(out.data(), 0, kRequestBufferLen);
  nlmsghdr* nlh = mnl_nlmsg_put_header(out.data());
  nlh->nlmsg_type = RTM_SETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = static_cast<int>(if_index);
  if (bring_up) {
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;  // only this flag changes
  }
  if (mtu != 0) mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  return nlh->nlmsg_len;
}

std::vector<uint8_t> build_link_message(const LinkInfo& info, uint32_t seq, uint32_t portid) {
  std::vector<uint32_t> words(256, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(words.data());
  nlh->nlmsg_type = info.deleted ? RTM_DELLINK : RTM_NEWLINK;
  nlh->nlmsg_seq = seq;
  nlh->nlmsg_pid = portid;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_type = 1;  // ARPHRD_ETHER
  ifi->ifi_index = static_cast<int>(info.if_index);
  unsigned flags = 0;
  if (info.admin_up) flags |= IFF_UP;
  if (info.running) flags |= IFF_RUNNING;
  if (info.carrier) flags |= IFF_LOWER_UP;
  ifi->ifi_flags = flags;
  if (!info.name.empty()) mnl_attr_put_strz(nlh, IFLA_IFNAME, info.name.substr(0, IFNAMSIZ - 1).c_str());
  if (info.mtu != 0) mnl_attr_put_u32(nlh, IFLA_MTU, info.mtu);
  mnl_attr_put_u8(nlh, IFLA_OPERSTATE, info.operstate);
  const auto* bytes = reinterpret_cast<const uint8_t*>(words.data());
  return std::vector<uint8_t>(bytes, bytes + nlh->nlmsg_len);
}

}  // namespace linkcrypt::netlink
