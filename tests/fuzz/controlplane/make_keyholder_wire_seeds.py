#!/usr/bin/env python3
"""Writes the keyholder_wire corpus seeds (docs of the format: controlplane/keyholder/keyholder_wire.h)."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../corpus/keyholder_wire")


def frame(typ, rid, body):
    rest = bytes([1, typ]) + struct.pack(">I", rid) + body
    return struct.pack(">I", len(rest)) + rest


def use(purpose, spi_i, spi_r, peer=None):
    b = bytes([purpose]) + struct.pack(">QQ", spi_i, spi_r)
    if peer is None:
        return b + b"\x00"
    idtype, data = peer
    return b + bytes([1, idtype]) + struct.pack(">H", len(data)) + data


def octets(data):
    return struct.pack(">I", len(data)) + data


seeds = {
    "psk_auth": frame(1, 1, struct.pack(">H", 5) + use(0, 0x1122334455667788, 0, (2, b"b.example")) + octets(b"x" * 64)),
    "psk_auth_verify_v4": frame(1, 2, struct.pack(">H", 7) + use(1, 1, 2, (1, b"\x0a\x00\x00\x02")) + octets(b"y" * 40)),
    "sign": frame(2, 3, use(0, 5, 6) + octets(b"z" * 100)),
    "public_key": frame(3, 4, b""),
    "answer_bytes": frame(0x81, 5, octets(b"\x01" * 32)),
    "answer_error": frame(0x82, 6, b"\x01" + struct.pack(">H", 10) + b"token gone"),
    "bad_version": b"\x00\x00\x00\x06\x02\x03\x00\x00\x00\x01",
}
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
