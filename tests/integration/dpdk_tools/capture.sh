#!/usr/bin/env bash
# Issue 12 §6: dpdk-dumpcap captures the plain and the wire port of a running linkcryptd (manual
# keys, so the test knows the SAKs): every wire frame validates with linkcrypt-pcap in both
# directions, the recovered frames are byte-identical to the plain port's, and the plain port's
# capture holds the cleartext. Then telemetry of the manually keyed box matches linkcryptctl
# (telemetry.sh covers an IKE-keyed one).
NETNS_PREFIX=dc
source "$(dirname "$0")/../dataplane/lib.sh"
source "$(dirname "$0")/hugepages.sh"
source "$(dirname "$0")/telemetry_lib.sh"
: "${LINKCRYPT_PCAP:?set LINKCRYPT_PCAP to the linkcrypt-pcap binary}"
command -v dpdk-dumpcap >/dev/null || fail "dpdk-dumpcap not found (Debian package dpdk-dev: scripts/install-deps)"

hugepages_up 128   # 2 daemons and 2 dumpcaps: about 40 pages in use at the peak (measured)
topology_up
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys" --control-socket "$WORK/a.sock"
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"
(umask 077; echo "$SAK_B" >"$WORK/sak_b")
grep -q "packet capture: dpdk-dumpcap --file-prefix=$NAME-a " "$WORK/a.err" ||
  { cat "$WORK/a.err"; fail "linkcryptd did not announce dpdk-dumpcap"; }
pass "$(grep -o 'packet capture: .*' "$WORK/a.err")"

# dpdk-dumpcap is a secondary process of box A's daemon. One per port (given two -i, DPDK 22.11's
# dumpcap captured only the last), both directions, classic pcap (-P). Each prints "Packets
# captured:" once its port captures.
start_dumpcap() {  # TAG PORT_NAME
  dpdk-dumpcap --file-prefix="$NAME-a" -i "$2" -P -w "$WORK/$1.pcap" >"$WORK/$1.dumpcap.out" 2>"$WORK/$1.dumpcap.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "DUMPCAP_$1=$pid"
  for _ in $(seq 1 150); do
    grep -q "^Packets captured:" "$WORK/$1.dumpcap.err" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$1.dumpcap.err"; fail "dpdk-dumpcap could not attach to linkcryptd ($2)"; }
    sleep 0.1
  done
  cat "$WORK/$1.dumpcap.err"; fail "dpdk-dumpcap never started capturing on $2"
}
stop_dumpcap() {  # TAG
  local pid; pid=$(eval echo "\$DUMPCAP_$1")
  kill -INT "$pid"
  wait "$pid" || { cat "$WORK/$1.dumpcap.out" "$WORK/$1.dumpcap.err"; fail "dpdk-dumpcap exited with an error ($1)"; }
  tr "\r" "\n" <"$WORK/$1.dumpcap.out" | sed "s/^/   dpdk-dumpcap: /"
  tr "\b" "\n" <"$WORK/$1.dumpcap.err" | tail -n 1 | sed "s/^/   dpdk-dumpcap: $1: packets captured: /"
}
# The plain port's capture runs inside the wire port's: every frame it holds crossed the box
# while the wire was captured too.
start_dumpcap wire net_af_packet1
start_dumpcap plain net_af_packet0
sleep 0.3

ip -n "$NS_HA" neigh flush dev eth0
ip netns exec "$NS_HA" ping -c 5 -i 0.2 -W 2 -p 6c696e6b6372797074 10.77.0.2 >/dev/null || fail "IPv4 ping"
ip netns exec "$NS_HA" ping -6 -c 3 -i 0.2 -W 2 -s 1400 fd77::2 >/dev/null || fail "IPv6 ping"
sleep 0.5
stop_dumpcap plain
stop_dumpcap wire

# Split each port's capture by sender: what the port received and what it sent.
split() {  # IN OUT FILTER: prints how many frames OUT got
  local in=$1 out=$2 filter=$3
  tshark -r "$WORK/$in.pcap" -Y "$filter" -F pcap -w "$WORK/$out.pcap" 2>"$WORK/$out.tshark.err" ||
    { cat "$WORK/$out.tshark.err" >&2; fail "tshark could not read the dumpcap capture $in.pcap"; }
  ethertypes "$WORK/$out.pcap" | wc -l
}
n_plain_a=$(split plain plain_a "eth.src == $MAC_A")
n_plain_b=$(split plain plain_b "eth.src == $MAC_B")
n_wire_a=$(split wire wire_a "eth.src == $MAC_A")
n_wire_b=$(split wire wire_b "eth.src == $MAC_B")
echo "dumpcap frames: plain port $n_plain_a from host A (RX), $n_plain_b to host A (TX); wire port $n_wire_a sent (TX), $n_wire_b received (RX)"
for n in "$n_plain_a" "$n_plain_b" "$n_wire_a" "$n_wire_b"; do [ "$n" -gt 0 ] || fail "a port/direction captured no frame"; done

# The wire port: only MACsec; the plain port: the cleartext, ping pattern included.
for side in wire_a wire_b; do
  bad=$(ethertypes "$WORK/$side.pcap" | grep -vc '^88e5$' || true)
  [ "$bad" -eq 0 ] || fail "$bad non-MACsec frame(s) in the wire port capture ($side)"
done
pass "wire port capture: $((n_wire_a + n_wire_b)) frames, all MACsec (0x88E5)"
tshark -r "$WORK/plain_a.pcap" -Y 'icmp.type == 8 && data.data contains 6c:69:6e:6b:63:72:79:70:74' 2>/dev/null | wc -l >"$WORK/clear.n"
[ "$(cat "$WORK/clear.n")" -eq 5 ] || fail "the plain port capture holds $(cat "$WORK/clear.n") of the 5 cleartext echo requests"
tshark -r "$WORK/wire_a.pcap" -Y 'data.data contains 6c:69:6e:6b:63:72:79:70:74 || icmp' 2>/dev/null | wc -l >"$WORK/wire.n"
[ "$(cat "$WORK/wire.n")" -eq 0 ] || fail "the ping pattern is readable on the wire"
pass "plain port capture: the 5 IPv4 echo requests in the clear with their pattern; the wire shows none"

validate() {  # WIRE SAK_FILE SCI SSCI SALT OUT
  "$LINKCRYPT_PCAP" validate --cipher gcm-aes-xpn-128 --sak-file "$2" --sci "$3" --an 0 --ssci "$4" --salt "$5" \
      --quiet "$WORK/$1.pcap" "$WORK/$6.pcap" >"$WORK/$6.out" 2>&1 ||
    { cat "$WORK/$6.out"; fail "linkcrypt-pcap validate refused a frame of the dumpcap capture ($1)"; }
  grep '^validate:' "$WORK/$6.out"
}
validate wire_a "$WORK/sak_a" "$SCI_A" 00000001 "$SALT_A" recovered_a
validate wire_b "$WORK/sak_b" "$SCI_B" 00000002 "$SALT_B" recovered_b
pass "every wire frame dpdk-dumpcap captured validated with linkcrypt-pcap (both SCs, exit 0)"

# Recovered = what crossed the plain port, byte for byte and in order (the frames box A protected
# are the ones its plain port received; those it validated are the ones it sent to host A).
PYTHONPATH="$(dirname "$0")/../.." "$PY" - "$WORK" <<'PYEOF' || fail "recovered frames differ from the plain port's"
import sys
from pcap_frames import frames  # tests/pcap_frames.py
def within(small, big):  # small is a contiguous run of big
    return any(big[i:i + len(small)] == small for i in range(len(big) - len(small) + 1))
w = sys.argv[1]
for plain, recovered in (("plain_a", "recovered_a"), ("plain_b", "recovered_b")):
    p, r = frames(f"{w}/{plain}.pcap"), frames(f"{w}/{recovered}.pcap")
    print(f"{plain}: {len(p)} frames on the plain port, {len(r)} recovered from the wire")
    # The wire may hold a few more frames at either end (its capture started first, stopped last).
    if not within(p, r):
        for i, f in enumerate(p): print("plain", i, f[:40].hex())
        for i, f in enumerate(r): print("recovered", i, f[:40].hex())
        sys.exit(f"the plain port's frames are not a run of {recovered}")
r = frames(f"{w}/recovered_a.pcap")
echo4 = sum(1 for f in r if f[12:14] == b'\x08\x00' and f[23] == 1 and f[34] == 8)
echo6 = sum(1 for f in r if f[12:14] == b'\x86\xdd' and f[20] == 58 and f[54] == 128)
print(f"recovered from box A's wire: {echo4} IPv4 and {echo6} IPv6 echo requests")
if echo4 != 5 or echo6 != 3: sys.exit("echo requests missing")
PYEOF
pass "the frames recovered from the wire port are the plain port's frames, byte for byte, in order"

# Manual keys: the status fields IKE would fill are absent (null on the control socket).
telemetry_matches_ctl a "$WORK/a.sock"
