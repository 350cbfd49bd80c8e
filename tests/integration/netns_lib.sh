# Shared by every network-namespace integration test: root check, unique names, work dir,
# the EXIT-trap cleanup, topology, daemon liveness, wire captures. Sourced by <suite>/lib.sh,
# which may set NETNS_PREFIX (2 letters) first so that the suites' namespace names differ.

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

NAME=${NETNS_PREFIX:-lc}$$$(printf '%04x' $((RANDOM % 65536)))
read -r NS_HA NS_BA NS_BB NS_HB < <("$TOPOLOGY" names "$NAME")
WORK=$(mktemp -d /tmp/linkcrypt-it.XXXXXX)
chmod 0700 "$WORK"
PIDS=()
MAC_A=02:00:00:00:0a:01
MAC_B=02:00:00:00:0b:01

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$TOPOLOGY" down "$NAME" || true
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    for f in "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

# topology_up [PLAIN_MTU [WIRE_MTU]]; topology_up_tap [PLAIN_MTU [WIRE_MTU]] (boxes and wire only:
# the daemons' net_tap plain ports are the hosts, see scripts/netns-topology).
topology_up() { "$TOPOLOGY" up "$NAME" "${1:-1500}" "${2:-}"; }
topology_up_tap() { "$TOPOLOGY" up-tap "$NAME" "${1:-1500}" "${2:-}"; }

alive() { kill -0 "$(eval echo "\$DPID_$1")" 2>/dev/null; }

# start_capture TAG NS IFACE [capture filter]: tshark into $WORK/TAG.pcap, waits until it listens.
# CAPTURE_FORMAT=pcapng writes tshark's default format instead of classic pcap.
start_capture() {
  local tag=$1 ns=$2 ifc=$3 filter=${4:-}
  local args=(-n -q -i "$ifc" -F "${CAPTURE_FORMAT:-pcap}" -w "$WORK/$tag.pcap")
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

# assert_wire_only_macsec TAG...: every frame in each capture $WORK/TAG.pcap is MACsec (0x88E5)
# or key exchange (0x88B5), and each capture holds at least one MACsec frame; prints the counts.
assert_wire_only_macsec() {
  local total=0 side count type
  for side in "$@"; do
    ethertypes "$WORK/$side.pcap" | sort | uniq -c >"$WORK/$side.types"
    echo "EtherTypes seen arriving on $side:"; sed 's/^/   /' "$WORK/$side.types"
    while read -r count type; do
      case "$type" in
        88e5|88b5) total=$((total + count)) ;;
        *) fail "$count frame(s) of EtherType 0x$type in the clear on the wire ($side)" ;;
      esac
    done <"$WORK/$side.types"
    grep -q ' 88e5$' "$WORK/$side.types" || fail "no MACsec frame arrived on $side"
  done
  pass "$total wire frames, every one 0x88E5 or 0x88B5: no IPv4, IPv6 or ARP frame in the clear"
}

# catch_macsec_frame NS IFACE SRC_MAC [MIN_LEN]: prints (hex) the first 0x88E5 frame from SRC_MAC
# received on IFACE within 15 s; fails if none (on stderr: callers redirect stdout). Needs
# traffic meanwhile (the caller pings).
catch_macsec_frame() {
  ip netns exec "$1" "$PY" - "$2" "$3" "${4:-0}" <<'PYEOF' || { echo "FAIL: no genuine MACsec frame from $3 seen on $2" >&2; exit 1; }
import socket, sys, time
ifc, src, min_len = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((ifc, 0)); s.settimeout(1.0)
deadline = time.time() + 15
while time.time() < deadline:
    try: f, addr = s.recvfrom(65535)
    except socket.timeout: continue
    if addr[2] != socket.PACKET_OUTGOING and f[6:12] == src and f[12:14] == b'\x88\xe5' and len(f) > min_len:
        print(f.hex()); sys.exit(0)
sys.exit(1)
PYEOF
}
