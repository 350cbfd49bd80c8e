#!/usr/bin/env bash
# Issue 12 §7: tools/wireshark/linkcrypt_kx.lua shows linkcrypt's in-band key-exchange frames as
# ISAKMP. tshark captures the wire of two in-band PSK-keyed daemons through their handshake and one
# rotation; with the plugin every 0x88B5 frame dissects as IKEv2 (IKE_SA_INIT, IKE_AUTH,
# CREATE_CHILD_SA), without it none does. Malformed frames get the plugin's expert notes.
NETNS_PREFIX=dw
source "$(dirname "$0")/../daemon/lib.sh"
LUA=$(cd "$(dirname "$0")/../../../tools/wireshark" && pwd)/linkcrypt_kx.lua
[ -f "$LUA" ] || fail "no $LUA"
# The daemons' EAL runtime directories go too. cleanup reads the test's status from $?; errexit
# must not end the handler before it runs.
trap 'rc=$?; set +e; rm -rf "/var/run/dpdk/$NAME"-*; (exit $rc); cleanup' EXIT
dissect() { tshark -X "lua_script:$LUA" "$@" 2>>"$WORK/tshark.err"; }

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk"
write_config b auth=psk "psk-file=$WORK/psk"
# net_af_packet sends past the kernel's capture taps (PACKET_QDISC_BYPASS): each box's frames
# are captured where they arrive, on the other box's wire veth; from before the first message.
start_capture to_b "$NS_BB" wb "ether proto 0x88b5"
start_capture to_a "$NS_BA" wa "ether proto 0x88b5"
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ctl a rekey >/dev/null || fail "rekey refused"
rotated() { [ "$(q a status 'r["rotations"]')" -ge 1 ] && [ "$(q a status 'r["state"]')" = secured ]; }
wait_for 20 "rotation on box A" rotated
stop_capture to_b
stop_capture to_a

frames=0
for side in to_a to_b; do
  n=$(ethertypes "$WORK/$side.pcap" | grep -c '^88b5$' || true)
  [ "$n" -ge 3 ] || fail "only $n key-exchange frames captured ($side)"
  frames=$((frames + n))
done

# Without the plugin Wireshark does not know the EtherType: no ISAKMP at all.
plain=$(tshark -r "$WORK/to_b.pcap" -Y isakmp 2>/dev/null | wc -l)
[ "$plain" -eq 0 ] || fail "tshark dissects ISAKMP without the plugin ($plain frames): the test proves nothing"

# With it: every key-exchange frame is an IKEv2 message, and the exchanges are the ones linkcrypt runs.
: >"$WORK/fields.out"; : >"$WORK/verbose.out"
for side in to_a to_b; do
  dissect -r "$WORK/$side.pcap" -T fields -e frame.number -e isakmp.exchangetype -e isakmp.length >>"$WORK/fields.out" ||
    { cat "$WORK/tshark.err"; fail "tshark with the plugin failed"; }
  dissect -r "$WORK/$side.pcap" -V >>"$WORK/verbose.out" || { cat "$WORK/tshark.err"; fail "tshark -V with the plugin failed"; }
done
if grep -qi "lua\|error" "$WORK/tshark.err"; then cat "$WORK/tshark.err"; fail "tshark reported errors loading or running the plugin"; fi
undissected=$(awk -F'\t' '$2 == ""' "$WORK/fields.out" | wc -l)
[ "$undissected" -eq 0 ] || { cat "$WORK/fields.out"; fail "$undissected of $frames key-exchange frames did not dissect as ISAKMP"; }
for x in "IKE_SA_INIT (34)" "IKE_AUTH (35)" "CREATE_CHILD_SA (36)" "INFORMATIONAL (37)"; do
  n=$(grep -c "Exchange type: $x" "$WORK/verbose.out" || true)
  [ "$n" -ge 2 ] || fail "$x: $n messages (want a request and a response at least)"
  echo "   $x: $n messages"
done
grep -q "^linkcrypt key exchange (in-band IKEv2)" "$WORK/verbose.out" || fail "no linkcrypt_kx tree item"
grep -q "Payload: Encrypted and Authenticated (46)" "$WORK/verbose.out" || fail "IKE_AUTH's SK payload not shown"
pass "all $frames key-exchange frames dissect as ISAKMP with the plugin (none without)"
echo "   box B's key-exchange frames as tshark shows them with the plugin:"; dissect -r "$WORK/to_a.pcap" | sed 's/^/   /'

# Malformed frames: shorter than an IKE header, and an IKE Length beyond the frame.
"$PY" - "$WORK/bad.pcap" <<'PYEOF'
import struct, sys
hdr = bytes.fromhex("0180c2000003" "020000000a01" "88b5")
ike = bytes(8) + bytes(8) + bytes([33, 0x20, 34, 0x08]) + bytes(4) + struct.pack(">I", 500)  # Length 500
frames = [hdr + bytes(20), hdr + ike + bytes(18)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
PYEOF
dissect -r "$WORK/bad.pcap" -V >"$WORK/bad.out" || { cat "$WORK/tshark.err"; fail "tshark failed on malformed frames"; }
grep -q "Shorter than an IKE header" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "no expert note for a short frame"; }
grep -q "IKE Length below 28 or beyond the frame" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "no expert note for a bad IKE Length"; }
pass "malformed key-exchange frames are flagged (too short, IKE Length beyond the frame)"
