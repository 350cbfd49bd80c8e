#!/usr/bin/env python3
"""Frames of every size, untagged and 802.1Q-tagged, sent on one host and checked on the other.

  frame_sizes.py NS_SEND IFACE_SEND NS_RECV IFACE_RECV SRC_MAC DST_MAC MIN MAX RESULT_FILE

Each frame carries a payload of MIN..MAX octets after its (inner) EtherType 0x88B6 (IEEE local
experimental 2), once untagged and once behind a VLAN 100 tag; its first 4 payload octets are
its number and length, the rest a pattern derived from the number, so the receiver rebuilds
exactly what was sent. One process holds a packet socket in each namespace (setns), so it sends
in windows of 32 and waits for each window to arrive: at most a window is in flight, and no ring
on the way (veth, af_packet, this socket) can overflow on a busy machine. It writes a JSON
result: which numbers arrived intact, which arrived damaged. Linux strips a received VLAN tag
into the packet metadata before packet sockets see the frame, so it is put back from
PACKET_AUXDATA.
"""
import ctypes
import json
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
SO_RCVBUFFORCE = 33
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
CLONE_NEWNET = 0x40000000
TEST_ETHERTYPE = 0x88B6
WINDOW = 32
PATTERN = bytes(i & 0xFF for i in range(256 + 9216))


def frames(src, dst, lo, hi):
    """(number, tagged, frame) for every payload length lo..hi, untagged then tagged."""
    n = 0
    for tagged in (False, True):
        for length in range(lo, hi + 1):
            head = struct.pack('>HH', n, length)
            body = PATTERN[n % 256:n % 256 + length - len(head)]
            vlan = struct.pack('>HH', 0x8100, 100) if tagged else b''
            yield n, tagged, dst + src + vlan + struct.pack('>H', TEST_ETHERTYPE) + head + body
            n += 1


def packet_socket_in(ns, ifc):
    """A packet socket bound to ifc in network namespace ns (it stays there after setns back)."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open('/run/netns/' + ns) as f:
        if libc.setns(f.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns ' + ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifc, 0))
    return s


class Receiver:
    def __init__(self, sock, src, expected):
        self.s, self.src, self.expected = sock, src, expected
        self.s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        self.intact, self.damaged = set(), []

    def poll(self):
        """Reads what is queued (waits up to 50 ms for the first); returns how many test frames."""
        got = 0
        self.s.settimeout(0.05)
        while True:
            try:
                f, anc, _, addr = self.s.recvmsg(65535, socket.CMSG_SPACE(20))
            except (socket.timeout, BlockingIOError):
                return got
            got += self.take(f, anc, addr)
            self.s.settimeout(0)  # then only what is already queued

    def take(self, f, anc, addr):
        if addr[2] == socket.PACKET_OUTGOING:
            return 0
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= 20:
                status, _, _, _, _, tci, tpid = struct.unpack('=IIIHHHH', data[:20])
                if status & TP_STATUS_VLAN_VALID:
                    tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                    f = f[:12] + struct.pack('>HH', tpid, tci) + f[12:]
        if f[6:12] != self.src:
            return 0
        inner = 16 if f[12:14] == b'\x81\x00' else 12
        if len(f) < inner + 6 or struct.unpack('>H', f[inner:inner + 2])[0] != TEST_ETHERTYPE:
            return 0
        n = struct.unpack('>H', f[inner + 2:inner + 4])[0]
        if self.expected.get(n) == f:
            self.intact.add(n)
        else:
            self.damaged.append(n)
        return 1


def main():
    ns_send, if_send, ns_recv, if_recv, src, dst, lo, hi, result = sys.argv[1:10]
    src, dst = (bytes.fromhex(m.replace(':', '')) for m in (src, dst))
    lo, hi = int(lo), int(hi)
    own_ns = open('/proc/self/ns/net')
    rx_sock = packet_socket_in(ns_recv, if_recv)
    tx = packet_socket_in(ns_send, if_send)
    ctypes.CDLL(None).setns(own_ns.fileno(), CLONE_NEWNET)
    all_frames = list(frames(src, dst, lo, hi))
    rx = Receiver(rx_sock, src, {n: f for n, _, f in all_frames})
    for start in range(0, len(all_frames), WINDOW):
        window = all_frames[start:start + WINDOW]
        for _, _, f in window:
            tx.send(f)
        # Until the window has arrived, or nothing more came for 0.5 s (frames that do not fit
        # the wire never come; a late one is still counted when it does).
        arrived, idle_since = 0, time.time()
        while arrived < len(window) and time.time() - idle_since < 0.5:
            n = rx.poll()
            arrived += n
            if n:
                idle_since = time.time()
    deadline = time.time() + 2
    while time.time() < deadline:
        if rx.poll():
            deadline = time.time() + 2
    json.dump({'sent': len(all_frames), 'intact': sorted(rx.intact), 'damaged': rx.damaged}, open(result, 'w'))


if __name__ == '__main__':
    main()
