#!/usr/bin/env bash
# Integration (3): wire frames captured from box A decrypt with `linkcrypt-pcap validate` and the key into exactly the frames host A sent.
source "$(dirname "$0")/lib.sh"
TESTS_ROOT=$(cd "$(dirname "$0")/../.." && pwd)  # tests/pcap_frames.py
: "${LINKCRYPT_PCAP:?set LINKCRYPT_PCAP to the linkcrypt-pcap binary}"

topology_up
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys" --keylog "$WORK/a.keylog"
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"

# What host A sends (arriving on box A's plain port) and what box A puts on the wire (arriving
# at box B). Transparent bump in the wire: the wire frames keep host A's source address.
start_capture plain "$NS_BA" pa "ether src $MAC_A"
start_capture wire "$NS_BB" wb "ether src $MAC_A"

ip -n "$NS_HA" neigh flush dev eth0
ip netns exec "$NS_HA" ping -c 5 -i 0.2 -W 2 -p 6c696e6b6372797074 10.77.0.2 >/dev/null || fail "IPv4 ping"
ip netns exec "$NS_HA" ping -6 -c 3 -i 0.2 -W 2 -s 1400 fd77::2 >/dev/null || fail "IPv6 ping"

stop_capture wire
stop_capture plain

"$LINKCRYPT_PCAP" validate --cipher gcm-aes-xpn-128 --sak-file "$WORK/sak_a" --sci "$SCI_A" --an 0 \
    --ssci 00000001 --salt "$SALT_A" --quiet "$WORK/wire.pcap" "$WORK/recovered.pcap" \
    >"$WORK/validate.out" 2>&1 || { cat "$WORK/validate.out"; fail "linkcrypt-pcap validate refused a wire frame"; }
pass "every captured wire frame validated with the key (linkcrypt-pcap exit 0)"

# Manual keys with --keylog: box A logged its [tx] and [rx] SAs (key_id=-), and the keylog
# validates the same frames as the key file's SAK did.
[ "$(grep -c '^MACSEC_SA .* key_id=- .*dir=tx$' "$WORK/a.keylog")" = 1 ] || { cat "$WORK/a.keylog"; fail "keylog: no tx line"; }
grep -q '^MACSEC_SA .* key_id=- .*dir=rx$' "$WORK/a.keylog" || fail "keylog: no rx line"
"$LINKCRYPT_PCAP" validate --keylog "$WORK/a.keylog" --quiet "$WORK/wire.pcap" "$WORK/recovered_keylog.pcap" \
    >"$WORK/validate_keylog.out" 2>&1 || { cat "$WORK/validate_keylog.out"; fail "validate --keylog (manual keys)"; }
cmp -s "$WORK/recovered.pcap" "$WORK/recovered_keylog.pcap" || fail "--keylog recovered other frames than --sak-file"
pass "box A's keylog of its manual keys validates the same frames into the same file"

# The recovered frames must be a contiguous run of the frames host A sent, byte for byte, and
# include all 8 echo requests (the captures may start/stop a frame apart).
PYTHONPATH="$TESTS_ROOT" "$PY" - "$WORK/plain.pcap" "$WORK/recovered.pcap" <<'PYEOF' || fail "recovered frames differ from the sent ones"
import sys
from pcap_frames import frames, contiguous_run
sent, recovered = frames(sys.argv[1]), frames(sys.argv[2])
contiguous_run(sent, recovered)
echo4 = sum(1 for f in recovered if f[12:14] == b'\x08\x00' and f[23] == 1 and f[34] == 8)
echo6 = sum(1 for f in recovered if f[12:14] == b'\x86\xdd' and f[20] == 58 and f[54] == 128)
print(f"recovered ICMP echo requests: {echo4} IPv4, {echo6} IPv6")
if echo4 != 5 or echo6 != 3: sys.exit("echo requests missing")
PYEOF
pass "recovered frames are byte-identical to the frames host A sent"
