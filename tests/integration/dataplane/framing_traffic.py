#!/usr/bin/env python3
"""Sends numbered IPv4/UDP frames behind 802.1Q tags from host A, and a few untagged ones.

  framing_traffic.py IFACE SRC_MAC DST_MAC TAGS COUNT

Run inside host A's namespace. The kernel here has no 8021q module (no VLAN devices), so the
tagged frames are written whole to a packet socket: TAGS (1 or 2) tags, 0x8100 VLAN 100 then
0x8100 VLAN 200, then EtherType 0x0800, an IPv4 header 10.78.0.1 -> 10.78.0.2 and UDP to port
9 whose payload starts with the frame's number. Then 3 untagged frames, which a SecY with
clear-tags must drop (TxClearTagMissing). Paced so no ring on the way overflows.
"""
import socket
import struct
import sys
import time


def checksum(data):
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4_udp(n, size):
    payload = struct.pack(">I", n) + bytes((n + i) & 0xFF for i in range(size - 4))
    udp = struct.pack(">HHHH", 40000 + n, 9, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                     bytes([10, 78, 0, 1]), bytes([10, 78, 0, 2]))
    ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
    return b"\x08\x00" + ip + udp


def main():
    ifc, src, dst, tags, count = sys.argv[1:]
    src = bytes.fromhex(src.replace(":", ""))
    dst = bytes.fromhex(dst.replace(":", ""))
    tag_bytes = b"".join(struct.pack(">HH", 0x8100, vid) for vid in (100, 200)[:int(tags)])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    for n in range(int(count)):
        # Sizes from below the 30/50-octet offsets (short, SL set) to a few hundred octets.
        size = (4, 12, 40, 200, 600)[n % 5]
        s.send(dst + src + tag_bytes + ipv4_udp(n, size))
        time.sleep(0.005)
    for n in range(3):
        s.send(dst + src + ipv4_udp(1000 + n, 40))
        time.sleep(0.005)


if __name__ == "__main__":
    main()
