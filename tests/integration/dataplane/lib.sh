# Shared helpers for the dataplane integration tests: topology, keys, daemons, counters, cleanup.
# Sourced by each test script; every test builds its own uniquely named namespaces and removes
# them (and its daemons, captures, files) on any exit through the EXIT trap.

set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! SKIPPED: $(basename "$0") needs root (network namespaces, veth, raw sockets). CI runs as root."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  exit 77
fi

: "${LINKCRYPTD:?set LINKCRYPTD to the linkcryptd binary}"
: "${TOPOLOGY:?set TOPOLOGY to scripts/netns-topology}"
PY=/usr/bin/python3   # the Debian python with python3-scapy

NAME=lc$$$(printf '%04x' $((RANDOM % 65536)))
read -r NS_HA NS_BA NS_BB NS_HB < <("$TOPOLOGY" names "$NAME")
WORK=$(mktemp -d /tmp/linkcrypt-it.XXXXXX)
PIDS=()
MAC_A=02:00:00:00:0a:01
MAC_B=02:00:00:00:0b:01
SCI_A=020000000a000001   # box A's transmit SC
SCI_B=020000000b000001

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$TOPOLOGY" down "$NAME" || true
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    for f in "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

topology_up() { "$TOPOLOGY" up "$NAME" "${1:-1500}"; }

# Fresh random keys for both directions; box A sends with SAK_A, box B with SAK_B.
# make_keys [SUITE]: gcm-aes-xpn-128 (default) or gcm-aes-128 (32-bit PN, no SSCI/salt).
make_keys() {
  SUITE=${1:-gcm-aes-xpn-128}
  SAK_A=$(openssl rand -hex 16); SALT_A=$(openssl rand -hex 12)
  SAK_B=$(openssl rand -hex 16); SALT_B=$(openssl rand -hex 12)
  write_keyfile "$WORK/a.keys" "$SCI_A" "$SAK_A" 00000001 "$SALT_A" "$SCI_B" "$SAK_B" 00000002 "$SALT_B"
  write_keyfile "$WORK/b.keys" "$SCI_B" "$SAK_B" 00000002 "$SALT_B" "$SCI_A" "$SAK_A" 00000001 "$SALT_A"
  (umask 077; echo "$SAK_A" > "$WORK/sak_a")
}

write_keyfile() {  # path tx_sci tx_sak tx_ssci tx_salt rx_sci rx_sak rx_ssci rx_salt
  local xtx="" xrx=""
  if [ "$SUITE" != "${SUITE/xpn/}" ]; then
    xtx="ssci = $4"$'\n'"salt = $5"; xrx="ssci = $8"$'\n'"salt = $9"
  fi
  (umask 077; cat > "$1" <<KEYS
cipher-suite = $SUITE
[tx]
sci = $2
an = 0
sak = $3
$xtx
[rx]
sci = $6
an = 0
sak = $7
$xrx
KEYS
)
}

# start_daemon NAME NS PLAIN_IF WIRE_IF [extra linkcryptd options...]; sets DPID_<NAME>.
start_daemon() {
  local tag=$1 ns=$2 plain=$3 wire=$4; shift 4
  ip netns exec "$ns" "$LINKCRYPTD" \
      --plain-port "net_af_packet0,iface=$plain" --wire-port "net_af_packet1,iface=$wire" \
      --idle-sleep-us 100 "$@" \
      -- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-$tag" --log-level=4 \
      >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "DPID_$tag=$pid"
  # Ready when it says so; gone means it refused to start.
  for _ in $(seq 1 200); do
    grep -q "linkcryptd: running" "$WORK/$tag.err" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$tag.err"; fail "linkcryptd $tag did not start"; }
    sleep 0.1
  done
  fail "linkcryptd $tag never reported running"
}

# dump_counters NAME: SIGUSR1, then waits for the new complete dump; prints it.
dump_counters() {
  local tag=$1 pid; pid=$(eval echo "\$DPID_$tag")
  local before; before=$(grep -c '^=== end counters ===' "$WORK/$tag.out" || true)
  kill -USR1 "$pid"
  for _ in $(seq 1 100); do
    local now; now=$(grep -c '^=== end counters ===' "$WORK/$tag.out" || true)
    [ "$now" -gt "$before" ] && break
    sleep 0.05
  done
  awk '/^=== counters ===/{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$WORK/$tag.out"
}

# counter NAME "scope-prefix" COUNTER: the value from a fresh dump (the last field of the line
# whose scope starts with the prefix and whose counter name matches).
counter() {
  dump_counters "$1" | awk -v s="$2" -v n="$3" 'index($0, s) == 1 && $(NF-1) == n {print $NF; f=1} END{if(!f) print "missing"}' | head -n1
}

alive() { kill -0 "$(eval echo "\$DPID_$1")" 2>/dev/null; }

# start_capture TAG NS IFACE [capture filter]: tshark into $WORK/TAG.pcap, waits until it listens.
start_capture() {
  local tag=$1 ns=$2 ifc=$3 filter=${4:-}
  local args=(-n -q -i "$ifc" -F pcap -w "$WORK/$tag.pcap")
  [ -n "$filter" ] && args+=(-f "$filter")
  ip netns exec "$ns" tshark "${args[@]}" >"$WORK/$tag.cap.out" 2>"$WORK/$tag.cap.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "CPID_$tag=$pid"
  for _ in $(seq 1 200); do
    grep -q "Capturing on" "$WORK/$tag.cap.err" 2>/dev/null && { sleep 0.3; return 0; }
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$tag.cap.err"; fail "tshark on $ifc did not start"; }
    sleep 0.1
  done
  fail "tshark on $ifc never started"
}

stop_capture() {
  local pid; pid=$(eval echo "\$CPID_$1")
  sleep 0.5   # let frames in flight reach the capture
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# EtherTypes of every frame in a capture, one per line (outer EtherType, as on the wire).
ethertypes() {
  "$PY" - "$1" <<'PYEOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    frame = data[off + 16: off + 16 + incl]
    off += 16 + incl
    print('%04x' % struct.unpack_from('>H', frame, 12)[0] if len(frame) >= 14 else 'short')
PYEOF
}
