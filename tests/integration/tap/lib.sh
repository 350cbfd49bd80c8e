# Shared helpers for the TAP-mode tests: the dataplane helpers (keys, daemons, counters) plus the
# tap "hosts" and linkcryptctl queries. The plain port is a net_tap that DPDK creates in the box
# namespace, so that namespace's kernel is the host (scripts/netns-topology up-tap).

NETNS_PREFIX=lt
source "$(dirname "${BASH_SOURCE[0]}")/../dataplane/lib.sh"
: "${LINKCRYPTCTL:?set LINKCRYPTCTL to the linkcryptctl binary}"

# start_tap_daemons [extra linkcryptd options...]: box A (tap tpa, wire wa) and box B (tpb, wb),
# manual keys, each with a control socket $WORK/<tag>.sock.
start_tap_daemons() {
  start_daemon a "$NS_BA" "net_tap0,iface=tpa" wa --key-file "$WORK/a.keys" --control-socket "$WORK/a.sock" "$@"
  start_daemon b "$NS_BB" "net_tap0,iface=tpb" wb --key-file "$WORK/b.keys" --control-socket "$WORK/b.sock" "$@"
}

# tap_host NS TAP IPV4 IPV6: the host side of a tap (the daemon has already brought it up).
tap_host() {
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" addr add "$4/64" dev "$2" nodad
}

# tap_mtu NS TAP / tap_is_up NS TAP: what the kernel says of the tap.
tap_mtu() { ip -n "$1" -o link show "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
tap_is_up() { ip -n "$1" -o link show "$2" | grep -q '<[^>]*\bUP\b[^>]*>'; }

# ctl_json TAG COMMAND: the daemon's reply as JSON.
ctl_json() { "$LINKCRYPTCTL" --socket "$WORK/$1.sock" --json "$2"; }

# port_field TAG ROLE FIELD: one field of a port in `linkcryptctl status --json` (plain | wire).
port_field() {
  ctl_json "$1" status | "$PY" -c '
import json, sys
ports = json.load(sys.stdin)["result"]["ports"]
print([p for p in ports if p["role"] == sys.argv[1]][0][sys.argv[2]])' "$2" "$3"
}

# stat_field TAG NAME: a counter of the "dataplane" section of `linkcryptctl stats --json`.
stat_field() {
  ctl_json "$1" stats | "$PY" -c '
import json, sys
print(json.load(sys.stdin)["result"]["dataplane"][sys.argv[1]])' "$2"
}

# wait_port TAG ROLE FIELD VALUE: until status shows it (5 s), else fail.
wait_port() {
  local got=""
  for _ in $(seq 1 50); do
    got=$(port_field "$1" "$2" "$3")
    [ "$got" = "$4" ] && return 0
    sleep 0.1
  done
  fail "box $1: $2 port $3 is '$got', expected '$4'"
}
