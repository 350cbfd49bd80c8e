#!/usr/bin/env python3
"""Writes the keying_wire corpus seeds (the format: controlplane/ipc/keying_wire.h)."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../corpus/keying_wire")


def frame(typ, seq, body):
    rest = bytes([1, typ]) + struct.pack(">I", seq) + body
    return struct.pack(">I", len(rest)) + rest


def text(s):
    return struct.pack(">H", len(s)) + s


kx = bytes.fromhex("0180c2000003") + bytes(6) + b"\x88\xb5" + b"\x00" * 28
seeds = {
    "hello": frame(0x01, 1, bytes.fromhex("020000000001")),
    "kx_in": frame(0x02, 2, struct.pack(">H", len(kx)) + kx),
    "counters": frame(0x03, 3, struct.pack(">QBH", 7, 0, 2) + b"\x01" + struct.pack(">QBQ", 0, 1, 4096)
                      + b"\x00" + struct.pack(">QBQ", 0x0200000000010001, 0, 99)),
    "rekey": frame(0x04, 4, b""),
    "kx_out": frame(0x41, 5, struct.pack(">H", len(kx)) + kx),
    "install_xpn256": frame(0x42, 6, b"\x01" + struct.pack(">HQQBI", 1027, 0x1122334455667788, 0x0200000000010001, 1, 1)
                            + b"\x20" + bytes(range(32)) + b"\x0c" + bytes(12)),
    "install_gcm128": frame(0x42, 7, b"\x00" + struct.pack(">HQQBI", 1024, 1, 2, 0, 0) + b"\x10" + bytes(16) + b"\x00"),
    "reinstall": frame(0x43, 8, b"\x00" + struct.pack(">Q", 5)),
    "switch_tx": frame(0x44, 9, b"\x02"),
    "retire_tx": frame(0x45, 10, b"\x03"),
    "retire_rx": frame(0x46, 11, struct.pack(">QB", 0x0200000000010001, 0)),
    "status": frame(0x47, 12, b"\x02\x01\x00" + b"\x01\x00" + b"\x01" + struct.pack(">QQ", 0xabcdef, 3)
                    + text(b"inband") + text(b"box-b.linkcrypt.test") + text(b"established")
                    + b"\x01" + struct.pack(">QQ", 1, 2) + text(b"") + text(b"") + struct.pack(">Q", 0)),
    "bad_an": frame(0x44, 13, b"\x04"),
}
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
