#!/usr/bin/python3
"""Sequence-numbered UDP stream: `send` numbers datagrams, `recv` reports lost/duplicated/reordered ones.

Datagram: magic "LCSQ" | run id (u32) | seq (u64) | total (u64, 0 except in the end marker) | padding.
The sender ends with the end marker (seq = 2^64-1, total = datagrams sent), repeated so that one
copy gets through. The receiver stops at the end marker, or when --idle-s pass without a datagram
after the first one, or at --deadline-s; then it prints one line:

  sent=N received=N unique=N lost=N duplicated=N reordered=N first_gap_at=SEQ|-

and writes the same as JSON to --report. Exit 0 when nothing was lost, duplicated or reordered
and the end marker arrived; 1 otherwise (the line says what).
"""
import argparse
import json
import socket
import struct
import sys
import time

MAGIC = b"LCSQ"
HEADER = struct.Struct(">4sIQQ")
END_SEQ = (1 << 64) - 1


def send(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.bind:
        s.bind((args.bind, 0))
    pad = bytes(max(0, args.size - HEADER.size))
    interval = 1.0 / args.rate
    start = time.monotonic()
    sent = 0
    order = list(range(args.count))
    # Checker self-test faults: leave one out, send one twice, swap two neighbours.
    if args.skip is not None:
        order.remove(args.skip)
    if args.dup is not None:
        order.insert(order.index(args.dup) + 1, args.dup)
    if args.swap is not None:
        i = order.index(args.swap)
        order[i], order[i + 1] = order[i + 1], order[i]
    for n, seq in enumerate(order):
        # Pace against the clock, not by sleeping a fixed amount per datagram (no drift).
        due = start + n * interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        s.sendto(HEADER.pack(MAGIC, args.run, seq, 0) + pad, (args.to, args.port))
        sent += 1
    sent = args.count  # the marker announces how many distinct datagrams were meant to arrive
    time.sleep(args.linger_s)  # let the last datagrams cross before the marker
    for _ in range(20):
        s.sendto(HEADER.pack(MAGIC, args.run, END_SEQ, sent), (args.to, args.port))
        time.sleep(0.05)
    print(f"sent={sent}")
    return 0


def recv(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((args.bind, args.port))
    s.settimeout(0.2)
    if args.ready:
        open(args.ready, "w").write("ready\n")
    seen = set()
    received = duplicated = reordered = 0
    highest = -1
    first_gap = None
    total = None
    deadline = time.monotonic() + args.deadline_s
    last_rx = None
    while time.monotonic() < deadline:
        try:
            data = s.recv(65535)
        except socket.timeout:
            if last_rx is not None and time.monotonic() - last_rx > args.idle_s:
                break
            continue
        if len(data) < HEADER.size:
            continue
        magic, run, seq, tot = HEADER.unpack_from(data)
        if magic != MAGIC or run != args.run:
            continue
        last_rx = time.monotonic()
        if seq == END_SEQ:
            total = tot
            break
        received += 1
        if seq in seen:
            duplicated += 1
            continue
        seen.add(seq)
        if seq < highest:
            reordered += 1
        elif seq > highest + 1 and first_gap is None:
            first_gap = highest + 1
        highest = max(highest, seq)
    sent = total if total is not None else highest + 1
    lost = max(0, sent - len(seen))
    report = {"sent": sent, "received": received, "unique": len(seen), "lost": lost,
              "duplicated": duplicated, "reordered": reordered, "end_marker": total is not None,
              "first_gap_at": first_gap}
    gap = "-" if first_gap is None else str(first_gap)
    print(f"sent={sent} received={received} unique={len(seen)} lost={lost} "
          f"duplicated={duplicated} reordered={reordered} first_gap_at={gap} "
          f"end_marker={'yes' if total is not None else 'no'}")
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f)
    ok = total is not None and lost == 0 and duplicated == 0 and reordered == 0 and len(seen) > 0
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send", help="send COUNT numbered datagrams at RATE per second")
    ps.add_argument("--to", required=True)
    ps.add_argument("--port", type=int, default=47000)
    ps.add_argument("--bind", default="")
    ps.add_argument("--count", type=int, required=True)
    ps.add_argument("--rate", type=float, default=1000.0, help="datagrams per second")
    ps.add_argument("--size", type=int, default=200, help="UDP payload octets")
    ps.add_argument("--run", type=int, default=1, help="run id (receivers ignore other runs)")
    ps.add_argument("--linger-s", type=float, default=0.5)
    ps.add_argument("--skip", type=int, help="self-test: do not send this seq")
    ps.add_argument("--dup", type=int, help="self-test: send this seq twice")
    ps.add_argument("--swap", type=int, help="self-test: send this seq after the next one")
    pr = sub.add_parser("recv", help="receive one run, report lost/duplicated/reordered")
    pr.add_argument("--bind", default="0.0.0.0")
    pr.add_argument("--port", type=int, default=47000)
    pr.add_argument("--run", type=int, default=1)
    pr.add_argument("--idle-s", type=float, default=10.0)
    pr.add_argument("--deadline-s", type=float, default=300.0)
    pr.add_argument("--ready", help="file written once the socket is bound")
    pr.add_argument("--report", help="write the result as JSON here")
    args = p.parse_args()
    return send(args) if args.cmd == "send" else recv(args)


if __name__ == "__main__":
    sys.exit(main())
