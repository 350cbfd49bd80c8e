#!/usr/bin/env python3
"""Writes the secy_validate seed corpus: every 802.1AE Annex C protected frame with the header that
makes it validate (its suite, Strict, replay on, its PN as lowest PN), plus a few broken frames.
Usage: make_secy_validate_seeds.py VECTORS_JSON OUT_DIR"""
import json
import os
import struct
import sys

SUITES = ["GCM-AES-128", "GCM-AES-256", "GCM-AES-XPN-128", "GCM-AES-XPN-256"]
vectors = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out, exist_ok=True)


def header(suite, mode=0, replay=1, engine=0, window=0, lowest=1, framing=0):
    sel = SUITES.index(suite) | (mode << 2) | (replay << 4) | (engine << 5) | (framing << 6)
    return bytes([sel]) + struct.pack(">IQ", window, lowest)


for v in vectors:
    frame = bytes.fromhex(v["protected_frame"])
    name = "annexc_" + v["annex_c"].replace(".", "_")
    for engine in (0, 1):
        data = header(v["cipher"], engine=engine, lowest=v["pn"]) + frame
        open(os.path.join(out, f"{name}_e{engine}"), "wb").write(data)
    # Check mode, integrity frames delivered even when the ICV fails (InPktsInvalid)
    bad = bytearray(frame)
    bad[-1] ^= 1
    open(os.path.join(out, name + "_badicv_check"), "wb").write(header(v["cipher"], mode=1, lowest=v["pn"]) + bytes(bad))

v = vectors[0]
frame = bytes.fromhex(v["protected_frame"])
extra = {
    "truncated_sectag": header(v["cipher"]) + frame[:20],
    "not_macsec": header(v["cipher"]) + bytes.fromhex("D609B1F056637A0D46DF998D0800") + bytes(46),
    "not_macsec_check": header(v["cipher"], mode=1) + bytes.fromhex("D609B1F056637A0D46DF998D0800") + bytes(46),
    "version_bit": header(v["cipher"], lowest=v["pn"]) + frame[:14] + bytes([frame[14] | 0x80]) + frame[15:],
    "pn_zero": header(v["cipher"]) + frame[:16] + bytes(4) + frame[20:],
    "late_window": header(v["cipher"], window=16, lowest=v["pn"] + 100) + frame,
    "empty": header(v["cipher"]),
}
# Carrier framing (docs/framing.md): Annex C's first key set (SCI 12153524C0895E81, AN 2,
# GCM-AES-128 SAK) protecting tagged frames with the independent encoder.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import macsec_framing  # noqa: E402
sak = bytes.fromhex("AD7A2BD03EAC835A6F620FDCB506B345")
addrs = bytes.fromhex("D609B1F056637A0D46DF998D")
for framing, tags, offset in ((1, 1, 30), (2, 2, 0), (3, 0, 50)):
    for user_len in (24, 40, 120):
        plain = addrs + bytes.fromhex("81000064") * tags + b"\x08\x00" + bytes(range(user_len - 2))
        wire = macsec_framing.protect(plain, sak, 0x12153524C0895E81, 0x100, 2, tags, offset)
        extra[f"framing{framing}_user{user_len}"] = header("GCM-AES-128", lowest=0x100, framing=framing) + wire
for k, d in extra.items():
    open(os.path.join(out, k), "wb").write(d)
print(f"wrote {len(os.listdir(out))} seeds to {out}")
