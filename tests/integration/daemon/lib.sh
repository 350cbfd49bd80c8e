# Shared helpers for the daemon integration tests: identities and keys, configs, daemons,
# linkcryptctl, traffic (the namespace plumbing, cleanup and captures are in ../netns_lib.sh).
# Sourced by each test; every test builds its own uniquely named namespaces (scripts/netns-topology
# plus a management veth for the UDP transport) and removes them, its daemons, captures and files
# on any exit through the EXIT trap.

NETNS_PREFIX=lk
source "$(dirname "${BASH_SOURCE[0]}")/../netns_lib.sh"
# The daemons' EAL memory: no hugepages, unless a test sets EAL_MEMORY (dpdk-dumpcap needs them).
[ -n "${EAL_MEMORY+x}" ] || EAL_MEMORY=(--no-huge -m 256)
: "${LINKCRYPTCTL:?set LINKCRYPTCTL to the linkcryptctl binary}"
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/tools" && pwd)

ID_A=box-a.linkcrypt.test    # sorts lower: box A initiates under role = auto
ID_B=box-b.linkcrypt.test
MGMT_A=10.78.0.1             # management veth (UDP transport), inside the box namespaces
MGMT_B=10.78.0.2
HOST_A=10.77.0.1
HOST_B=10.77.0.2

# A management link between the two boxes (not the wire): the UDP transport's path.
mgmt_up() {
  ip link add name mgmta netns "$NS_BA" type veth peer name mgmtb netns "$NS_BB"
  ip -n "$NS_BA" addr add "$MGMT_A/24" dev mgmta
  ip -n "$NS_BB" addr add "$MGMT_B/24" dev mgmtb
  ip -n "$NS_BA" link set mgmta up
  ip -n "$NS_BB" link set mgmtb up
}

# Credentials, all in 0600 files. make_psk NAME; make_ed25519 NAME -> NAME.key + NAME.pub
make_psk() { (umask 077; openssl rand -hex 32 >"$WORK/$1"); }
make_ed25519() {
  (umask 077; openssl genpkey -algorithm ed25519 -out "$WORK/$1.key" 2>/dev/null)
  openssl pkey -in "$WORK/$1.key" -pubout -out "$WORK/$1.pub" 2>/dev/null
  chmod 0600 "$WORK/$1.pub"
}

# write_config TAG [KEY=VALUE ...]: box TAG's config ($WORK/TAG.conf, 0600). The common part (ports,
# identities, control socket, veth pacing) is here; each test adds its auth/transport/rotation keys.
# Option names: docs/config.md.
write_config() {
  local tag=$1; shift
  local plain wire local_id peer_id
  if [ "$tag" = a ]; then plain=pa; wire=wa; local_id=$ID_A; peer_id=$ID_B
  else plain=pb; wire=wb; local_id=$ID_B; peer_id=$ID_A; fi
  (umask 077; {
    echo "plain-port = net_af_packet0,iface=$plain"
    echo "wire-port = net_af_packet1,iface=$wire"
    echo "idle-sleep-us = 100"
    echo "control-socket = $WORK/$tag.sock"
    echo "local-id = $local_id"
    echo "peer-id = $peer_id"
    for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
  } >"$WORK/$tag.conf")
}

# key_holder_of TAG: the pid of box TAG's key holder (a child of its linkcryptd).
key_holder_of() {
  local dpid; dpid=$(eval echo "\$DPID_$1")
  local c
  for c in $(cat /proc/"$dpid"/task/*/children 2>/dev/null); do
    [ "$(cat "/proc/$c/comm" 2>/dev/null)" = linkcrypt-keyho ] && { echo "$c"; return 0; }
  done
  return 1
}
# The user the key holder drops to: the package's linkcrypt, else nobody (keyholder_sandbox.h).
key_holder_user() { if getent passwd linkcrypt >/dev/null; then echo linkcrypt; else echo nobody; fi; }

# start_daemon TAG [extra linkcryptd flags...]: box TAG (a|b) runs linkcryptd with $WORK/TAG.conf in
# its namespace; sets DPID_TAG. Returns once it reports running (not yet keyed: wait_secured).
start_daemon() {
  local tag=$1; shift
  local ns; [ "$tag" = a ] && ns=$NS_BA || ns=$NS_BB
  : >"$WORK/$tag.err"
  ip netns exec "$ns" "$LINKCRYPTD" --config "$WORK/$tag.conf" "$@" \
      -- "${EAL_MEMORY[@]}" --no-pci -l 0,1 --file-prefix "$NAME-$tag" --log-level=4 \
      >>"$WORK/$tag.out" 2>>"$WORK/$tag.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "DPID_$tag=$pid"
  for _ in $(seq 1 200); do
    grep -q ": running (" "$WORK/$tag.err" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$tag.err"; fail "linkcryptd $tag did not start"; }
    sleep 0.1
  done
  fail "linkcryptd $tag never reported running"
}

# psk_pair_up: the topology, one PSK for both boxes, both started with in-band PSK keying and
# secured (what most daemon tests start from).
psk_pair_up() {
  topology_up
  make_psk psk
  write_config a auth=psk "psk-file=$WORK/psk"
  write_config b auth=psk "psk-file=$WORK/psk"
  start_daemon a
  start_daemon b
  wait_secured a
  wait_secured b
}

stop_daemon() {  # TAG: SIGTERM and wait
  local pid; pid=$(eval echo "\$DPID_$1")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}


# ctl TAG ARGS...: linkcryptctl against box TAG's control socket.
ctl() { local tag=$1; shift; "$LINKCRYPTCTL" --socket "$WORK/$tag.sock" "$@"; }

# q TAG COMMAND PYEXPR: runs `linkcryptctl --json COMMAND` on box TAG and prints PYEXPR evaluated
# with r = the response's "result" (JSON scalars as JSON: null, true; prints null when the daemon answered an error).
q() {
  local tag=$1 cmd=$2 expr=$3
  ctl "$tag" --json "$cmd" 2>/dev/null | "$PY" -c '
import json, sys
try:
    resp = json.loads(sys.stdin.read() or "null")
except ValueError:
    resp = None
r = resp.get("result") if isinstance(resp, dict) and resp.get("ok") else None
try:
    v = eval(sys.argv[1], {"r": r})
except Exception:
    v = None
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$expr"
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it succeeds; fails the test at the
# deadline. Prints how long it took in WAITED_MS.
wait_for() {
  local secs=$1 what=$2; shift 2
  local start end; start=$(date +%s%N)
  end=$((start + secs * 1000000000))
  while :; do
    if "$@"; then WAITED_MS=$((($(date +%s%N) - start) / 1000000)); return 0; fi
    [ "$(date +%s%N)" -lt "$end" ] || fail "$what: not reached within ${secs}s"
    sleep 0.2
  done
}

is_secured() { [ "$(q "$1" status 'r["state"]')" = secured ]; }
wait_secured() {  # TAG [SECONDS]
  wait_for "${2:-20}" "box $1 secured" is_secured "$1"
  pass "box $1 secured after ${WAITED_MS} ms (tx key id $(q "$1" status 'r["tx_key_id"]'))"
}

# ping_ok [COUNT]: IPv4 ping from end host A to end host B through both appliances.
ping_ok() { ip netns exec "$NS_HA" ping -c "${1:-3}" -i 0.2 -W 2 "$HOST_B" >"$WORK/ping.out" 2>&1; }
ping_fails() { ! ip netns exec "$NS_HA" ping -c 3 -i 0.2 -W 1 "$HOST_B" >/dev/null 2>&1; }

# iperf3 TCP for SECONDS from host A to host B; prints the octets received.
iperf_tcp() {
  local secs=${1:-2}
  if [ ! -s "$WORK/iperf.pid" ]; then
    ip netns exec "$NS_HB" iperf3 -s -D -I "$WORK/iperf.pid" --logfile "$WORK/iperf.srv" -B "$HOST_B"
    for _ in $(seq 1 50); do [ -s "$WORK/iperf.pid" ] && break; sleep 0.1; done
    PIDS+=("$(cat "$WORK/iperf.pid")")
  fi
  ip netns exec "$NS_HA" iperf3 -c "$HOST_B" -t "$secs" -J >"$WORK/tcp.json" || { tail -n 20 "$WORK/tcp.json"; fail "iperf3 TCP"; }
  "$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' "$WORK/tcp.json"
}

# ethertype_counts PCAP: "88e5 N" lines, one per outer EtherType seen on the wire.
ethertype_counts() { ethertypes "$1" | sort | uniq -c | awk '{print $2, $1}'; }

# only_macsec_and_kx PCAP [KX]: fails unless every frame is 0x88E5, or KX (default 88b5; "none"
# allows none), and at least one MACsec frame was seen.
only_macsec_and_kx() {
  local pcap=$1 kx=${2:-88b5}
  ethertype_counts "$pcap" >"$WORK/ethertypes"
  local bad; bad=$(awk -v kx="$kx" '$1 != "88e5" && $1 != kx' "$WORK/ethertypes")
  [ -z "$bad" ] || { cat "$WORK/ethertypes"; fail "cleartext on the wire: $(echo "$bad" | tr '\n' ' ')"; }
  grep -q '^88e5 ' "$WORK/ethertypes" || { cat "$WORK/ethertypes"; fail "no MACsec frame on the wire"; }
  pass "wire capture: $(tr '\n' ' ' <"$WORK/ethertypes")(EtherType count), nothing else"
}

# stat TAG NAME...: the sum of the `linkcryptctl --json stats` counters called NAME (any of the
# names given). A NAME matches a counter whose path ends with it, compared without case and
# underscores at section boundaries: TxNoSa == secy.TxNoSa, transport_rx_too_short ==
# ike.transport.rx_too_short == ike.transport_rx_too_short. Sums over every rx_sc. Prints
# "missing" when no counter matches.
stat() {
  local tag=$1; shift
  ctl "$tag" --json stats 2>/dev/null | "$PY" -c '
import json, sys
norm = lambda s: s.lower().replace("_", "")
want = {norm(n) for n in sys.argv[1:]}
resp = json.loads(sys.stdin.read() or "null")
total, found = 0, False
def walk(v, path):
    global total, found
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + [norm(k)])
    elif isinstance(v, list):
        for x in v:
            walk(x, path)
    elif isinstance(v, int) and not isinstance(v, bool):
        if any("".join(path[i:]) in want for i in range(len(path))):
            total += v; found = True
if isinstance(resp, dict) and resp.get("ok"):
    walk(resp["result"], [])
print(total if found else "missing")
' "$@"
}
