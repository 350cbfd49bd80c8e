#!/usr/bin/env python3
"""Runs the linkcrypt-pcap binary on every 802.1AE Annex C frame: protect must produce the
protected frame byte for byte, validate must recover the plain frame, with both engines; a
flipped bit must make validate exit 1, and a bad argument exit 2."""
import json
import os
import struct
import subprocess
import sys
import tempfile

tool, vectors_path = sys.argv[1], sys.argv[2]
vectors = json.load(open(vectors_path))


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)


def read_pcap(path):
    data = open(path, "rb").read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "output must keep the input format"
    off, frames = 24, []
    while off < len(data):
        _, _, cap, orig = struct.unpack("<IIII", data[off:off + 16])
        assert cap == orig
        frames.append(data[off + 16:off + 16 + cap])
        off += 16 + cap
    return frames


def key_args(v):
    args = ["--cipher", v["cipher"].lower(), "--sak", v["sak"], "--sci", v["sci"], "--an", str(v["an"])]
    if "ssci" in v:
        args += ["--ssci", v["ssci"], "--salt", v["salt"]]
    return args


failures = 0
checked = 0
with tempfile.TemporaryDirectory(prefix="linkcrypt-annexc-") as tmp:
    plain_in, prot_out = os.path.join(tmp, "plain.pcap"), os.path.join(tmp, "prot.pcap")
    prot_in, plain_out = os.path.join(tmp, "wire.pcap"), os.path.join(tmp, "back.pcap")
    for v in vectors:
        plain = bytes.fromhex(v["plaintext_frame"])
        prot = bytes.fromhex(v["protected_frame"])
        for engine in ("ipsec-mb", "openssl"):
            tag = f'{v["name"]} [{engine}]'
            extra = ["--engine", engine]
            p_args = ["protect"] + key_args(v) + ["--pn", str(v["pn"])] + extra
            if v["mode"] == "integrity":
                p_args.append("--integrity-only")
            if not v["sci_on_wire"]:
                p_args.append("--no-sci")
            write_pcap(plain_in, [plain])
            r = subprocess.run([tool] + p_args + [plain_in, prot_out], capture_output=True, text=True)
            got = read_pcap(prot_out) if r.returncode == 0 else []
            if r.returncode != 0 or got != [prot]:
                failures += 1
                print(f"FAIL protect {tag}: exit {r.returncode}\n{r.stdout}{r.stderr}")
                if got:
                    print(f"  got  {got[0].hex().upper()}\n  want {prot.hex().upper()}")
            elif f'frame 1: pn {v["pn"]} OK' not in r.stdout:
                failures += 1
                print(f"FAIL protect {tag}: verdict line missing:\n{r.stdout}")

            # validate; --lowest-pn so that the vector's PN is acceptable (10.6.2)
            v_args = ["validate"] + key_args(v) + ["--lowest-pn", str(v["pn"])] + extra
            write_pcap(prot_in, [prot])
            r = subprocess.run([tool] + v_args + [prot_in, plain_out], capture_output=True, text=True)
            got = read_pcap(plain_out) if r.returncode == 0 else []
            if r.returncode != 0 or got != [plain] or f'frame 1: pn {v["pn"]} OK' not in r.stdout:
                failures += 1
                print(f"FAIL validate {tag}: exit {r.returncode}\n{r.stdout}{r.stderr}")

            # one flipped bit in the ICV: dropped, exit 1, nothing written
            bad = bytearray(prot)
            bad[-1] ^= 0x80
            write_pcap(prot_in, [bytes(bad)])
            r = subprocess.run([tool] + v_args + [prot_in, plain_out], capture_output=True, text=True)
            if r.returncode != 1 or read_pcap(plain_out) != [] or "NotValid" not in r.stdout:
                failures += 1
                print(f"FAIL flipped-bit {tag}: exit {r.returncode}\n{r.stdout}{r.stderr}")
            checked += 1

    # a bad argument: exit 2 and one message on stderr
    r = subprocess.run([tool, "protect", "--cipher", "gcm-aes-128", "--sak", "00", "--sci", "00", "--an", "0",
                        "--pn", "1", plain_in, prot_out], capture_output=True, text=True)
    if r.returncode != 2 or "SAK" not in r.stderr:
        failures += 1
        print(f"FAIL bad-argument: exit {r.returncode}\n{r.stderr}")

print(f"{checked} vector/engine pairs checked through {os.path.basename(tool)}, {failures} failures")
sys.exit(1 if failures or checked != 64 else 0)
