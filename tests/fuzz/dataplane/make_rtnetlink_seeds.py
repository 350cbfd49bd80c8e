#!/usr/bin/env python3
"""Writes the rtnetlink seed corpus: link notifications and request replies as the kernel sends
them (RTM_NEWLINK/RTM_DELLINK with IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE and attributes the parser
skips, acknowledgements, errors, NLMSG_DONE), plus a few damaged ones.
Usage: make_rtnetlink_seeds.py OUT_DIR"""
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
RTM_NEWLINK, RTM_DELLINK, NLMSG_ERROR, NLMSG_DONE = 16, 17, 2, 3
IFLA_IFNAME, IFLA_MTU, IFLA_TXQLEN, IFLA_OPERSTATE, IFLA_AF_SPEC = 3, 4, 13, 16, 26
IFF_UP, IFF_RUNNING, IFF_LOWER_UP = 0x1, 0x40, 0x10000


def pad(b):
    return b + b'\0' * (-len(b) % 4)


def attr(kind, payload):
    return pad(struct.pack('=HH', 4 + len(payload), kind) + payload)


def msg(kind, body, seq=0, pid=0, flags=0):
    return struct.pack('=IHHII', 16 + len(body), kind, flags, seq, pid) + body


def link(index, name, mtu, flags, oper, kind=RTM_NEWLINK, extra=b'', seq=0, pid=0):
    body = struct.pack('=BBHiII', 0, 0, 1, index, flags, 0)
    body += attr(IFLA_IFNAME, name.encode() + b'\0') + attr(IFLA_MTU, struct.pack('=I', mtu))
    body += attr(IFLA_OPERSTATE, bytes([oper])) + extra
    return msg(kind, body, seq, pid)


def error(code, seq=1, pid=1):
    return msg(NLMSG_ERROR, struct.pack('=i', code) + msg(RTM_NEWLINK, b'', seq, pid)[:16], seq, pid)


up = IFF_UP | IFF_RUNNING | IFF_LOWER_UP
seeds = {
    'wire_up': link(7, 'wa', 1532, up, 6),
    'wire_admin_down': link(7, 'wa', 1532, 0, 2),
    'peer_down': link(8, 'wb', 1532, IFF_UP, 5),  # LOWERLAYERDOWN
    'tap_unknown': link(9, 'tpa', 1496, up, 0),
    'dellink': link(9, 'tpa', 1496, 0, 2, kind=RTM_DELLINK),
    'skipped_attrs': link(7, 'wa', 1532, up, 6, extra=attr(IFLA_TXQLEN, struct.pack('=I', 1000)) +
                          attr(IFLA_AF_SPEC, attr(2, attr(1, b'\x01\x02\x03\x04')))),
    'reply_and_ack': link(7, 'wa', 1532, up, 6, seq=1, pid=1) + error(0),
    'enodev': error(-19),
    'done': msg(NLMSG_DONE, struct.pack('=i', 0), 1, 1),
    'two_links': link(7, 'wa', 1532, up, 6) + link(9, 'tpa', 1500, up, 0),
    'truncated': link(7, 'wa', 1532, up, 6)[:-3],
    'long_attr': link(7, 'wa', 1532, up, 6)[:32] + struct.pack('=HH', 200, IFLA_MTU) + b'\0' * 8,
}
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
