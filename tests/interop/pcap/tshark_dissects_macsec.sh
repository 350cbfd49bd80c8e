#!/usr/bin/env bash
# Interop: Wireshark's own MACsec dissector (tshark) reads what linkcrypt-pcap writes: the AN, PN,
# TCI bits and SCI it shows are the ones we asked for, and validated output dissects like the input.
# Usage: tshark_dissects_macsec.sh PATH/TO/linkcrypt-pcap     (no root needed; exit 77 = skip)
set -euo pipefail
tool=$1
if ! command -v tshark >/dev/null; then
  echo "!!! SKIP: tshark is not installed (scripts/install-deps installs it); this test did NOT run."
  exit 77
fi
work=$(mktemp -d "/tmp/linkcrypt-tshark-$$-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0

# Sample traffic: IPv4/UDP, ARP, 802.1Q-tagged IPv4, IPv6/ICMPv6, a full-size IPv4 frame.
python3 - "$work/in.pcap" <<'PY'
import struct, sys
def ipv4(payload_len, proto=17):
    tot = 20 + payload_len
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0, 64, proto, 0, bytes([10,0,0,1]), bytes([10,0,0,2]))
    s = sum(struct.unpack("!10H", h)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
    return h[:10] + struct.pack("!H", ~s & 0xffff) + h[12:]
def udp(n):
    return struct.pack("!HHHH", 4000, 5000, 8 + n, 0) + bytes(i & 0xff for i in range(n))
da, sa = bytes.fromhex("020000000002"), bytes.fromhex("021122334455")
frames = [
  da + sa + b"\x08\x00" + ipv4(8 + 18) + udp(18),
  bytes.fromhex("ffffffffffff") + sa + b"\x08\x06" + bytes.fromhex("0001080006040001") + sa + bytes([10,0,0,1]) + bytes(6) + bytes([10,0,0,2]) + bytes(18),
  da + sa + b"\x81\x00\x00\x64\x08\x00" + ipv4(8 + 100) + udp(100),
  da + sa + b"\x86\xdd" + bytes.fromhex("6000000000083a40") + bytes(15) + b"\x01" + bytes(15) + b"\x02" + bytes.fromhex("8000f7ff00010001"),
  da + sa + b"\x08\x00" + ipv4(8 + 1472) + udp(1472),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
PY

fields() {  # one CSV line per frame
  tshark -r "$1" -T fields -E separator=, -e macsec.AN -e macsec.PN -e macsec.TCI.ES -e macsec.TCI.SC \
    -e macsec.TCI.E -e macsec.TCI.C -e macsec.SCI.system_identifier -e macsec.SCI.port_identifier 2>/dev/null
}

# check NAME EXPECTED_CSV_PER_FRAME(with %PN%) FIRST_PN WIRE_PN_OFFSET -- protect args...
check() {
  local name=$1 pattern=$2 first_pn=$3; shift 3
  if ! "$tool" protect "$@" --quiet "$work/in.pcap" "$work/$name.pcap" >"$work/$name.log" 2>&1; then
    echo "FAIL $name: protect failed"; cat "$work/$name.log"; fail=1; return
  fi
  local expected="" i
  for i in 0 1 2 3 4; do
    expected+="${pattern//%PN%/$(( (first_pn + i) & 0xFFFFFFFF ))}"$'\n'
  done
  local got
  got=$(fields "$work/$name.pcap")$'\n'
  if [ "$got" != "$expected" ]; then
    echo "FAIL $name: tshark shows"; echo "$got"; echo "expected"; echo "$expected"; fail=1
  else
    echo "ok   $name: tshark shows AN/PN/TCI/SCI as written for 5 frames"
  fi
}

K128=AD7A2BD03EAC835A6F620FDCB506B345
K256=E3C08A8F06C6E3AD95A70557B23F75483CE33021A9C72B7025666204C69C0B72
SALT=E630E81A48DE86A21C66FA6D
# Fields: AN, PN (low 32 bits on the wire), ES, SC, E, C, SCI system id, SCI port.
check gcm128-conf "0x01,%PN%,0,1,1,1,12:15:35:24:c0:89,24193" 1000 \
  --cipher gcm-aes-128 --sak $K128 --sci 12153524C0895E81 --an 1 --pn 1000
check xpn256-integrity "0x03,%PN%,0,1,0,0,12:15:35:24:c0:89,24193" $((0x1FFFFFFFE)) \
  --cipher gcm-aes-xpn-256 --sak $K256 --sci 12153524C0895E81 --an 3 --pn 0x1FFFFFFFE \
  --ssci 7A30C118 --salt $SALT --integrity-only
check gcm256-nosci "0x00,%PN%,1,0,1,1,," 7 \
  --cipher gcm-aes-256 --sak $K256 --sci 0211223344550001 --an 0 --pn 7 --no-sci

# Integrity-only frames stay readable: tshark dissects the inner EtherType after the SecTAG.
etypes=$(tshark -r "$work/xpn256-integrity.pcap" -T fields -e macsec.etype 2>/dev/null | tr '\n' ' ')
if [ "$etypes" != "0x0800 0x0806 0x8100 0x86dd 0x0800 " ]; then
  echo "FAIL integrity-only inner EtherTypes: '$etypes'"; fail=1
else
  echo "ok   integrity-only: inner EtherTypes $etypes"
fi

# Validated output dissects exactly like the input (same lengths and protocol stacks).
"$tool" validate --cipher gcm-aes-128 --sak $K128 --sci 12153524C0895E81 --an 1 --lowest-pn 1000 --quiet \
  "$work/gcm128-conf.pcap" "$work/back.pcap" >"$work/back.log" 2>&1 || { cat "$work/back.log"; fail=1; }
a=$(tshark -r "$work/in.pcap" -T fields -e frame.len -e frame.protocols 2>/dev/null)
b=$(tshark -r "$work/back.pcap" -T fields -e frame.len -e frame.protocols 2>/dev/null)
if [ -z "$a" ] || [ "$a" != "$b" ]; then
  echo "FAIL validated output differs from input as tshark sees it:"; echo "$a"; echo "---"; echo "$b"; fail=1
else
  echo "ok   validate: tshark sees the recovered frames as the originals ($(echo "$a" | wc -l) frames)"
fi
if ! cmp -s <(tail -c +25 "$work/in.pcap") <(tail -c +25 "$work/back.pcap"); then
  echo "FAIL validated records are not byte-identical to the input records"; fail=1
fi
exit $fail
