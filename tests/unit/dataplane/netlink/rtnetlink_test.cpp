// rtnetlink link messages: built as the kernel sends them and parsed back; refusals of damaged ones.
#include "rtnetlink.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>

namespace linkcrypt::netlink {
namespace {

LinkInfo wire_link() {
  LinkInfo l;
  l.if_index = 7;
  l.name = "wa";
  l.mtu = 1532;
  l.operstate = IF_OPER_UP;
  l.admin_up = true;
  l.running = true;
  l.carrier = true;
  return l;
}

uint32_t u32_at(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v = 0;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}
void put_u32(std::vector<uint8_t>& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
void put_u16(std::vector<uint8_t>& b, size_t off, uint16_t v) { std::memcpy(b.data() + off, &v, 2); }

// An NLMSG_ERROR message answering (seq, portid) with error (0: an acknowledgement).
std::vector<uint8_t> error_message(int error, uint32_t seq, uint32_t portid) {
  std::vector<uint8_t> b(NLMSG_HDRLEN + sizeof(nlmsgerr), 0);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(b.size());
  h.nlmsg_type = NLMSG_ERROR;
  h.nlmsg_seq = seq;
  h.nlmsg_pid = portid;
  std::memcpy(b.data(), &h, sizeof h);
  nlmsgerr e{};
  e.error = error;
  std::memcpy(b.data() + NLMSG_HDRLEN, &e, sizeof e);
  return b;
}

// Offset of the first attribute of a link message (nlmsghdr 16 + ifinfomsg 16).
constexpr size_t kFirstAttr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));

TEST(RtnetlinkTest, ParsesALinkMessageBuiltAsTheKernelSendsIt) {
  const auto msg = build_link_message(wire_link(), 0, 0);
  const ParsedDatagram d = parse_datagram(msg, 0, 0);
  ASSERT_EQ(d.error, ParseError::None);
  ASSERT_EQ(d.links.size(), 1u);
  const LinkInfo& l = d.links[0];
  EXPECT_EQ(l.if_index, 7u);
  EXPECT_EQ(l.name, "wa");
  EXPECT_EQ(l.mtu, 1532u);
  EXPECT_EQ(l.operstate, IF_OPER_UP);
  EXPECT_TRUE(l.admin_up);
  EXPECT_TRUE(l.running);
  EXPECT_TRUE(l.carrier);
  EXPECT_FALSE(l.deleted);
  EXPECT_TRUE(l.link_up());
  EXPECT_FALSE(d.done);  // a notification ends nothing
}

TEST(RtnetlinkTest, LinkIsUpOnlyWhenAdministrativelyUpAndRunning) {
  LinkInfo peer_down = wire_link();  // a veth whose peer went down: up, no carrier, not running
  peer_down.running = false;
  peer_down.carrier = false;
  peer_down.operstate = IF_OPER_LOWERLAYERDOWN;
  const ParsedDatagram d = parse_datagram(build_link_message(peer_down, 0, 0), 0, 0);
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_TRUE(d.links[0].admin_up);
  EXPECT_FALSE(d.links[0].carrier);
  EXPECT_FALSE(d.links[0].link_up());
  EXPECT_STREQ(operstate_name(d.links[0].operstate), "LOWERLAYERDOWN");
  LinkInfo tap = wire_link();  // tun/tap: running with operstate UNKNOWN
  tap.operstate = IF_OPER_UNKNOWN;
  EXPECT_TRUE(parse_datagram(build_link_message(tap, 0, 0), 0, 0).links.at(0).link_up());
}

TEST(RtnetlinkTest, DelLinkMarksTheInterfaceGone) {
  LinkInfo gone = wire_link();
  gone.deleted = true;
  const ParsedDatagram d = parse_datagram(build_link_message(gone, 0, 0), 0, 0);
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_TRUE(d.links[0].deleted);
}

TEST(RtnetlinkTest, ParsesSeveralMessagesAndTheAcknowledgementInOneDatagram) {
  LinkInfo second = wire_link();
  second.if_index = 8;
  second.name = "tpa";
  second.mtu = 1500;
  auto buf = build_link_message(wire_link(), 42, 99);
  const auto more = build_link_message(second, 42, 99);
  const auto ack = error_message(0, 42, 99);
  buf.insert(buf.end(), more.begin(), more.end());
  buf.insert(buf.end(), ack.begin(), ack.end());
  const ParsedDatagram d = parse_datagram(buf, 42, 99);
  ASSERT_EQ(d.error, ParseError::None);
  ASSERT_EQ(d.links.size(), 2u);
  EXPECT_EQ(d.links[1].name, "tpa");
  EXPECT_EQ(d.links[1].mtu, 1500u);
  EXPECT_TRUE(d.done);
}

TEST(RtnetlinkTest, KernelErrorCarriesTheErrno) {
  const ParsedDatagram d = parse_datagram(error_message(-19, 5, 6), 5, 6);  // -ENODEV
  EXPECT_EQ(d.error, ParseError::KernelError);
  EXPECT_EQ(d.error_code, 19);
  EXPECT_TRUE(d.done);
}

TEST(RtnetlinkTest, KernelErrorOfIntMinDoesNotOverflow) {
  const ParsedDatagram d = parse_datagram(error_message(INT32_MIN, 5, 6), 5, 6);
  EXPECT_EQ(d.error, ParseError::KernelError);
  EXPECT_EQ(d.error_code, INT32_MAX);
}

TEST(RtnetlinkTest, RefusesTheRepliesOfAnotherRequest) {
  const auto msg = build_link_message(wire_link(), 41, 99);
  EXPECT_EQ(parse_datagram(msg, 42, 99).error, ParseError::WrongSequence);
  EXPECT_EQ(parse_datagram(msg, 41, 98).error, ParseError::WrongSequence);
  EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::None);  // notifications: any
}

TEST(RtnetlinkTest, RefusesEveryTruncationOfAMessage) {
  const auto msg = build_link_message(wire_link(), 0, 0);
  for (size_t len = 1; len < msg.size(); ++len) {
    const ParsedDatagram d = parse_datagram(std::span<const uint8_t>(msg.data(), len), 0, 0);
    EXPECT_NE(d.error, ParseError::None) << "length " << len;
    EXPECT_TRUE(d.links.empty()) << "length " << len;
  }
}

TEST(RtnetlinkTest, RefusesAnAttributeRunningPastItsMessage) {
  auto msg = build_link_message(wire_link(), 0, 0);
  put_u16(msg, kFirstAttr, static_cast<uint16_t>(msg.size()));  // nla_len beyond the message
  EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::Malformed);
}

TEST(RtnetlinkTest, RefusesAMessageLengthPastTheDatagram) {
  auto msg = build_link_message(wire_link(), 0, 0);
  put_u32(msg, 0, static_cast<uint32_t>(msg.size() + 4));
  EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::Malformed);
}

TEST(RtnetlinkTest, RefusesAMessageLengthOfTwoToTheThirtyOneOrMore) {
  // libmnl's mnl_nlmsg_ok compares (int)nlmsg_len: these pass it as negative numbers, and
  // 0xFFFFFFFF aligns to 0 (the next message would be the same one, forever).
  for (uint32_t len : {0x80000000u, 0xC7000038u, 0xFFFFFFFFu}) {
    auto msg = build_link_message(wire_link(), 0, 0);
    put_u32(msg, 0, len);
    EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::Malformed) << std::hex << len;
    auto two = build_link_message(wire_link(), 0, 0);
    const size_t second = two.size();
    two.insert(two.end(), msg.begin(), msg.end());
    EXPECT_EQ(parse_datagram(two, 0, 0).error, ParseError::Malformed) << "second at " << second;
  }
}

TEST(RtnetlinkTest, RefusesAnMtuOfTheWrongSize) {
  LinkInfo l = wire_link();
  l.name.clear();  // IFLA_MTU is then the first attribute
  auto msg = build_link_message(l, 0, 0);
  ASSERT_EQ(msg[kFirstAttr + 2], IFLA_MTU);
  put_u16(msg, kFirstAttr, 4 + 2);  // a 2-octet MTU (the 2 octets after it become padding)
  EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::BadAttribute);
}

TEST(RtnetlinkTest, RefusesAnInterfaceNameWithoutItsTerminator) {
  auto msg = build_link_message(wire_link(), 0, 0);
  ASSERT_EQ(msg[kFirstAttr + 2], IFLA_IFNAME);  // "wa\0" + 1 octet of padding
  msg[kFirstAttr + 4 + 2] = 'x';
  EXPECT_EQ(parse_datagram(msg, 0, 0).error, ParseError::BadAttribute);
}

TEST(RtnetlinkTest, SkipsAttributesItDoesNotRead) {
  auto msg = build_link_message(wire_link(), 0, 0);
  // Append IFLA_TXQLEN (u32) and an attribute type beyond IFLA_MAX.
  for (uint16_t type : {uint16_t{IFLA_TXQLEN}, uint16_t{0x3FF0}}) {
    const size_t at = msg.size();
    msg.resize(at + 8, 0);
    put_u16(msg, at, 8);
    put_u16(msg, at + 2, type);
    put_u32(msg, at + 4, 1000);
  }
  put_u32(msg, 0, static_cast<uint32_t>(msg.size()));
  const ParsedDatagram d = parse_datagram(msg, 0, 0);
  ASSERT_EQ(d.error, ParseError::None);
  EXPECT_EQ(d.links.at(0).mtu, 1532u);
}

TEST(RtnetlinkTest, ParsesFromAnUnalignedBuffer) {
  const auto msg = build_link_message(wire_link(), 0, 0);
  std::vector<uint8_t> shifted(msg.size() + 1);
  std::memcpy(shifted.data() + 1, msg.data(), msg.size());
  const ParsedDatagram d = parse_datagram(std::span<const uint8_t>(shifted).subspan(1), 0, 0);
  ASSERT_EQ(d.error, ParseError::None);
  EXPECT_EQ(d.links.at(0).name, "wa");
}

TEST(RtnetlinkTest, GetLinkRequestNamesTheInterfaceAndAsksForAnAck) {
  std::vector<uint8_t> buf(kRequestBufferLen);
  const size_t len = build_getlink(buf, 9, 7);
  ASSERT_GE(len, kFirstAttr);
  nlmsghdr h{};
  std::memcpy(&h, buf.data(), sizeof h);
  EXPECT_EQ(h.nlmsg_len, len);
  EXPECT_EQ(h.nlmsg_type, RTM_GETLINK);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(h.nlmsg_seq, 9u);
  ifinfomsg ifi{};
  std::memcpy(&ifi, buf.data() + NLMSG_HDRLEN, sizeof ifi);
  EXPECT_EQ(ifi.ifi_index, 7);
}

TEST(RtnetlinkTest, SetLinkRequestCarriesTheMtuAndOnlyTheUpFlag) {
  std::vector<uint8_t> buf(kRequestBufferLen);
  const size_t len = build_setlink(buf, 10, 8, 1496, true);
  nlmsghdr h{};
  std::memcpy(&h, buf.data(), sizeof h);
  EXPECT_EQ(h.nlmsg_type, RTM_SETLINK);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  ifinfomsg ifi{};
  std::memcpy(&ifi, buf.data() + NLMSG_HDRLEN, sizeof ifi);
  EXPECT_EQ(ifi.ifi_index, 8);
  EXPECT_EQ(ifi.ifi_flags, unsigned{IFF_UP});
  EXPECT_EQ(ifi.ifi_change, unsigned{IFF_UP});
  ASSERT_EQ(len, kFirstAttr + 8);
  nlattr a{};
  std::memcpy(&a, buf.data() + kFirstAttr, sizeof a);
  EXPECT_EQ(a.nla_type, IFLA_MTU);
  EXPECT_EQ(a.nla_len, 8);
  EXPECT_EQ(u32_at(buf, kFirstAttr + 4), 1496u);
  // MTU 0 and no bring-up: nothing to change but the header.
  EXPECT_EQ(build_setlink(buf, 11, 8, 0, false), kFirstAttr);
}

}  // namespace
}  // namespace linkcrypt::netlink
