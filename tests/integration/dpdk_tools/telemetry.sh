#!/usr/bin/env bash
# Issue 12 §6: dpdk-telemetry.py against a running, IKE-keyed linkcryptd answers /linkcrypt/status,
# /linkcrypt/sa and /ethdev/stats,<port> with the values linkcryptctl --json shows.
NETNS_PREFIX=dt
source "$(dirname "$0")/../daemon/lib.sh"
source "$(dirname "$0")/telemetry_lib.sh"
# The daemons' EAL runtime directories go too. cleanup reads the test's status from $?; errexit
# must not end the handler before it runs.
trap 'rc=$?; set +e; rm -rf "/var/run/dpdk/$NAME"-*; (exit $rc); cleanup' EXIT

psk_pair_up
grep -q "dpdk-telemetry.py -f $NAME-a answers /linkcrypt/status" "$WORK/a.err" ||
  { cat "$WORK/a.err"; fail "linkcryptd did not announce its telemetry"; }
ping_ok 5 || fail "no traffic through the pair"

telemetry a / >"$WORK/list.out"
for c in /linkcrypt/status /linkcrypt/sa /ethdev/stats; do
  grep -q "\"$c\"" "$WORK/list.out" || { cat "$WORK/list.out"; fail "telemetry does not list $c"; }
done
telemetry a /help,/linkcrypt/sa >"$WORK/help.out"
grep -q "as linkcryptctl sa" "$WORK/help.out" || { cat "$WORK/help.out"; fail "no help for /linkcrypt/sa"; }
pass "telemetry lists /linkcrypt/status, /linkcrypt/sa, /ethdev/stats; $(cat "$WORK/help.out")"

telemetry a /linkcrypt/sa,1 >"$WORK/params.out"
grep -qx '{"/linkcrypt/sa": null}' "$WORK/params.out" || { cat "$WORK/params.out"; fail "/linkcrypt/sa,1 was not refused"; }
pass "a parameter is refused: $(cat "$WORK/params.out")"

telemetry_matches_ctl a "$WORK/a.sock"

# The same socket spoken to directly (SOCK_SEQPACKET, one request per datagram), as monitoring
# agents do; after a rotation the SA list follows.
ctl a rekey >/dev/null || fail "rekey refused"
rotated() { [ "$(q a status 'r["rotations"]')" -ge 1 ] && [ "$(q a status 'r["state"]')" = secured ]; }
wait_for 20 "rotation on box A" rotated
"$PY" - "/var/run/dpdk/$NAME-a/dpdk_telemetry.v2" "$(q a status 'r["tx_key_id"]')" <<'PYEOF' || fail "raw telemetry socket"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
hello = json.loads(s.recv(1024))
s.send(b"/linkcrypt/status")
st = json.loads(s.recv(hello["max_output_len"]))["/linkcrypt/status"]
print(f"raw socket: pid {hello['pid']}, state {st['state']}, rotations {st['rotations']}, tx_key_id {st['tx_key_id']}")
if st["rotations"] < 1 or st["tx_key_id"] != sys.argv[2]:
    sys.exit(f"telemetry still shows the old SA (control socket: tx_key_id {sys.argv[2]})")
PYEOF
pass "the raw telemetry socket shows the rotation and the new transmit key id"
