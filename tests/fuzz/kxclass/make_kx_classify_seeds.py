#!/usr/bin/python3
"""Writes the kx_classify seed corpus: table-size octet + Ethernet frame (tests/fuzz/corpus/kx_classify)."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus", "kx_classify")
os.makedirs(out, exist_ok=True)
eth = bytes.fromhex("0180c2000003" "02000000000a" "88b5")


def ike(spi_i, spi_r, exch, flags, msgid, body=b"\xab" * 32, length=None):
    n = 28 + len(body) if length is None else length
    return struct.pack(">QQBBBBII", spi_i, spi_r, 33, 0x20, exch, flags, msgid, n) + body


seeds = {
    "init": b"\x00" + eth + ike(0x1122334455667788, 0, 34, 0x08, 0),
    "init_padded": b"\x00" + eth + ike(0x1122334455667788, 0, 34, 0x08, 0) + bytes(20),
    "known_informational": b"\x01" + eth + ike(1, 2, 37, 0x08, 5),
    "known_wildcard_response": b"\x41" + eth + ike(1, 9, 34, 0x20, 0),
    "unknown_auth": b"\x00" + eth + ike(3, 4, 35, 0x08, 1),
    "bad_version": b"\x00" + eth + ike(1, 0, 34, 0x08, 0)[:17] + b"\x10" + ike(1, 0, 34, 0x08, 0)[18:],
    "bad_exchange": b"\x00" + eth + ike(1, 0, 43, 0x08, 0),
    "lying_length": b"\x00" + eth + ike(1, 0, 34, 0x08, 0, length=0x7FFFFFFF),
    "short": b"\x00" + eth + bytes(10),
    "count_overflow": b"\x07" + eth + ike(5, 6, 36, 0x20, 2),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
