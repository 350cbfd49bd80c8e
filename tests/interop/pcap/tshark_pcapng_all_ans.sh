#!/usr/bin/env bash
# Interop: a pcapng file written by tshark (its default format) holding MACsec frames of all four ANs
# decrypts in one linkcrypt-pcap run with a hand-written keylog (manual keys, one per AN), byte for byte.
# Usage: tshark_pcapng_all_ans.sh PATH/TO/linkcrypt-pcap     (no root needed; exit 77 = skip)
set -euo pipefail
tool=$1
if ! command -v tshark >/dev/null; then
  echo "!!! SKIP: tshark is not installed (scripts/install-deps installs it); this test did NOT run."
  exit 77
fi
work=$(mktemp -d "/tmp/linkcrypt-pcapng-$$-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Five plain frames (IPv4/UDP of growing sizes), classic pcap.
python3 - "$work/plain.pcap" <<'PY'
import struct, sys
da, sa = bytes.fromhex("020000000002"), bytes.fromhex("021122334455")
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(5):
        payload = bytes((i * 7 + j) & 0xff for j in range(46 + 300 * i))
        fr = da + sa + b"\x08\x00" + payload
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
PY

# Protect them four times, once per AN with its own key (gcm-aes-xpn-128), and chain the four
# captures in time order; tshark then writes the result as pcapng.
SCI=0211223344550001
keys=(000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
      202122232425262728292a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f)
salt=a0a1a2a3a4a5a6a7a8a9aaab
(umask 077; echo "# manual keys of one link, one line per AN (docs/keylog.md)" >"$work/keys.keylog")
for an in 0 1 2 3; do
  "$tool" protect --cipher gcm-aes-xpn-128 --sak "${keys[$an]}" --sci $SCI --an $an --pn 100 \
      --ssci 00000001 --salt $salt --quiet "$work/plain.pcap" "$work/an$an.pcap" >/dev/null \
      || fail "protect AN $an"
  echo "MACSEC_SA sci=$SCI an=$an key_id=- suite=gcm-aes-xpn-128 sak=${keys[$an]} ssci=00000001 salt=$salt installed=- dir=-" \
      >>"$work/keys.keylog"
done
python3 - "$work/wire.pcap" "$work"/an{0,1,2,3}.pcap <<'PY'
import sys
out = open(sys.argv[1], "wb")
for n, path in enumerate(sys.argv[2:]):
    data = open(path, "rb").read()
    out.write(data if n == 0 else data[24:])
PY
tshark -r "$work/wire.pcap" -F pcapng -w "$work/wire.pcapng" 2>/dev/null || fail "tshark could not write pcapng"
[ "$(head -c 4 "$work/wire.pcapng" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] || fail "tshark did not write pcapng"
[ "$(tshark -r "$work/wire.pcapng" -Y macsec 2>/dev/null | wc -l)" = 20 ] || fail "tshark sees no 20 MACsec frames"
echo "ok   tshark wrote 20 MACsec frames (AN 0..3) as pcapng"

# One run, every AN: exit 0 and the recovered frames are the plain ones, four times over.
"$tool" validate --keylog "$work/keys.keylog" --lowest-pn 100 "$work/wire.pcapng" "$work/back.pcap" \
    >"$work/all.log" 2>&1 || { cat "$work/all.log"; fail "validate --keylog of the pcapng file"; }
grep -q "^validate: 20 frames, 20 OK, 0 dropped" "$work/all.log" || { cat "$work/all.log"; fail "not 20 OK"; }
PYTHONPATH="$(dirname "$0")/../.." python3 - "$work/plain.pcap" "$work/back.pcap" <<'PY' || fail "recovered frames differ from the plain ones"
import sys
from pcap_frames import frames
plain, back = frames(sys.argv[1]), frames(sys.argv[2])
if back != plain * 4: sys.exit(f"{len(back)} frames recovered, not the 5 plain frames 4 times")
PY
echo "ok   validate --keylog: all four ANs of the pcapng file in one run, byte-identical to the plain frames"
tshark -r "$work/back.pcap" >/dev/null 2>&1 || fail "tshark cannot read the recovered (classic pcap) file"

# The single-SA options still decrypt their one AN of the same file, and say why the others drop.
rc=0
"$tool" validate --cipher gcm-aes-xpn-128 --sak "${keys[2]}" --sci $SCI --an 2 --ssci 00000001 --salt $salt \
    --lowest-pn 100 "$work/wire.pcapng" >"$work/one.log" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q "^validate: 20 frames, 5 OK, 15 dropped" "$work/one.log" \
    && [ "$(grep -c 'NotUsingSA (an [013])' "$work/one.log")" = 15 ] || { cat "$work/one.log"; fail "single-AN run"; }
echo "ok   validate --an 2 on the same pcapng: 5 OK, 15 NotUsingSA (exit 1)"
