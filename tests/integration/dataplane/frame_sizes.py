#!/usr/bin/env python3
"""Frames of every size, untagged and 802.1Q-tagged, sent on one host and checked on the other.

  frame_sizes.py send IFACE SRC_MAC DST_MAC MIN MAX
  frame_sizes.py recv IFACE SRC_MAC DST_MAC MIN MAX READY_FILE RESULT_FILE

Each frame carries Secure Data payloads of MIN..MAX octets after its (inner) EtherType 0x88B6
(IEEE local experimental 2), once untagged and once behind a VLAN 100 tag; its first 4 payload
octets are its number and length, the rest a pattern derived from the number, so the receiver
rebuilds exactly what was sent. The receiver writes a JSON result: which numbers arrived intact,
which arrived damaged. Linux strips a received VLAN tag into the packet metadata before packet
sockets see the frame, so the receiver puts it back from PACKET_AUXDATA.
"""
import json
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
TEST_ETHERTYPE = 0x88B6


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


def mac(text):
    return bytes.fromhex(text.replace(':', ''))


def send(ifc, src, dst, lo, hi):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifc, 0))
    count = 0
    for n, _, f in frames(src, dst, lo, hi):
        s.send(f)
        count += 1
        if count % 16 == 0:
            time.sleep(0.002)  # paced: no ring on the way (veth, af_packet) may overflow
    print(count)


def recv(ifc, src, dst, lo, hi, ready_file, result_file):
    expected = {n: f for n, _, f in frames(src, dst, lo, hi)}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifc, 0))
    s.settimeout(0.2)
    open(ready_file, 'w').write('ready\n')
    intact, damaged = set(), []
    deadline = time.time() + 40
    last = None
    while time.time() < deadline and len(intact) < len(expected):
        # Done once nothing more came for 3 s after the first frame.
        if last is not None and time.time() - last > 3:
            break
        try:
            f, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= 20:
                status, _, _, _, _, tci, tpid = struct.unpack('=IIIHHHH', data[:20])
                if status & TP_STATUS_VLAN_VALID:
                    tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                    f = f[:12] + struct.pack('>HH', tpid, tci) + f[12:]
        if f[6:12] != src:
            continue
        inner = 16 if f[12:14] == b'\x81\x00' else 12
        if len(f) < inner + 6 or struct.unpack('>H', f[inner:inner + 2])[0] != TEST_ETHERTYPE:
            continue
        n = struct.unpack('>H', f[inner + 2:inner + 4])[0]
        last = time.time()
        if expected.get(n) == f:
            intact.add(n)
        else:
            damaged.append(n)
    json.dump({'intact': sorted(intact), 'damaged': damaged}, open(result_file, 'w'))


if __name__ == '__main__':
    cmd, ifc, src, dst, lo, hi = sys.argv[1:7]
    if cmd == 'send':
        send(ifc, mac(src), mac(dst), int(lo), int(hi))
    else:
        recv(ifc, mac(src), mac(dst), int(lo), int(hi), sys.argv[7], sys.argv[8])
