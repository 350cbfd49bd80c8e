#!/usr/bin/env bash
# linkcryptd as linkcryptd@.service runs it: only the unit's capabilities (CapabilityBoundingSet,
# NoNewPrivileges), the control socket given on the command line, and systemd's notify protocol:
# READY=1 once running, WATCHDOG=1 at half of WatchdogSec, STOPPING=1 on SIGTERM. Two boxes with
# manual keys on net_af_packet ports carry a ping, so the dataplane works with those capabilities.
source "$(dirname "$0")/../dataplane/lib.sh"
: "${LINKCRYPTCTL:?set LINKCRYPTCTL to the linkcryptctl binary}"
unit=$(dirname "$0")/../../../packaging/systemd/linkcryptd@.service
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"

# The capability set is read from the unit file itself, so the test follows the unit.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] || fail "no CapabilityBoundingSet= in $unit"
bounding=-all
for c in $caps; do c=${c#CAP_}; bounding+=",+${c,,}"; done
grep -qx 'NoNewPrivileges=yes' "$unit" || fail "the unit lost NoNewPrivileges=yes"
watchdog_s=$(sed -n 's/^WatchdogSec=\([0-9]*\)s$/\1/p' "$unit")
[ -n "$watchdog_s" ] || fail "no WatchdogSec= in $unit"

# systemd's side of sd_notify: a datagram socket; every message becomes one line in a log.
$PY - "$WORK/notify" "$WORK/notify.log" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "w", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", " ") + "\n")
PYEOF
PIDS+=("$!")
for _ in $(seq 1 50); do [ -S "$WORK/notify" ] && break; sleep 0.1; done
[ -S "$WORK/notify" ] || fail "the notify listener did not start"

# Box A runs as the unit would; the watchdog is 1 s here so the test sees several keep-alives.
cat > "$WORK/as-unit" <<WRAP
#!/bin/sh
exec env NOTIFY_SOCKET=$WORK/notify WATCHDOG_USEC=1000000 \
  setpriv --bounding-set $bounding --no-new-privs "$LINKCRYPTD" "\$@"
WRAP
chmod 0755 "$WORK/as-unit"

topology_up
make_keys
LINKCRYPTD_REAL=$LINKCRYPTD
LINKCRYPTD=$WORK/as-unit start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys" --control-socket "$WORK/a.sock"
LINKCRYPTD=$LINKCRYPTD_REAL start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"
pass "linkcryptd started with only: $caps (unit's WatchdogSec=${watchdog_s}s)"

grep -q "^CapBnd:" /proc/"$DPID_a"/status || fail "box A's daemon is gone"
want=$(setpriv --bounding-set "$bounding" grep '^CapBnd:' /proc/self/status)
[ "$(grep '^CapBnd:' /proc/"$DPID_a"/status)" = "$want" ] || fail "box A's bounding set is not the unit's"
[ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/"$DPID_a"/status)" = 1 ] || fail "box A runs without no_new_privs"

for _ in $(seq 1 50); do grep -q '^READY=1' "$WORK/notify.log" && break; sleep 0.1; done
grep -q '^READY=1' "$WORK/notify.log" || fail "no READY=1 (got: $(cat "$WORK/notify.log"))"
pass "READY=1 sent"

ip netns exec "$NS_HA" ping -c 5 -i 0.2 -W 2 10.77.0.2 >"$WORK/ping4" || { cat "$WORK/ping4"; fail "IPv4 ping"; }
pass "ping through both boxes, box A with the unit's capabilities"
"$LINKCRYPTCTL" --socket "$WORK/a.sock" status >"$WORK/status" || { cat "$WORK/status"; fail "linkcryptctl status"; }
pass "linkcryptctl status over the control socket"

before=$(grep -c '^WATCHDOG=1' "$WORK/notify.log" || true)
sleep 3
after=$(grep -c '^WATCHDOG=1' "$WORK/notify.log" || true)
# 1 s watchdog: a keep-alive every 0.5 s, so 6 in 3 s (at least 4 on a loaded machine; at most 7).
[ $((after - before)) -ge 4 ] && [ $((after - before)) -le 7 ] ||
  fail "$((after - before)) WATCHDOG=1 in 3 s with a 1 s watchdog (want about 6)"
pass "$((after - before)) WATCHDOG=1 keep-alives in 3 s"

kill -TERM "$DPID_a"
rc=0; wait "$DPID_a" || rc=$?
[ $rc -eq 0 ] || fail "box A exited $rc on SIGTERM"
grep -q '^STOPPING=1' "$WORK/notify.log" || fail "no STOPPING=1 on SIGTERM"
pass "STOPPING=1 on SIGTERM, exit 0"

# IKE keying starts the key holder (key-holder = process, the default), which drops from root to
# the linkcrypt user: the unit's bounding set must allow that (CAP_SETUID, CAP_SETGID), and
# without them the key holder refuses to run as root. --check-config starts it and asks it once.
(umask 077; openssl rand -hex 32 >"$WORK/psk"; {
  echo "plain-port = net_af_packet0,iface=pa"
  echo "wire-port = net_af_packet1,iface=wa"
  echo "local-id = a.example"
  echo "peer-id = b.example"
  echo "auth = psk"
  echo "psk-file = $WORK/psk"
} >"$WORK/ike.conf")
# The key holder answers only after it dropped to a non-root user (it refuses to serve as root),
# so "config OK" means the drop worked.
"$WORK/as-unit" --config "$WORK/ike.conf" --check-config >"$WORK/check.out" 2>"$WORK/check.err" ||
  { cat "$WORK/check.err"; fail "--check-config with IKE under the unit's capabilities"; }
[ "$(cat "$WORK/check.out")" = "config OK" ] && [ ! -s "$WORK/check.err" ] ||
  { cat "$WORK/check.out" "$WORK/check.err"; fail "--check-config with IKE: want 'config OK' and nothing on stderr"; }
pass "key holder under the unit's capabilities: started, dropped to its user, answered (config OK)"
rc=0
setpriv --bounding-set "${bounding/,+setuid/}" --no-new-privs "$LINKCRYPTD" --config "$WORK/ike.conf" --check-config \
  >"$WORK/check.out" 2>"$WORK/check.err" || rc=$?
[ $rc -eq 2 ] && grep -q "setresuid\|setgroups" "$WORK/check.err" ||
  { cat "$WORK/check.err"; fail "without CAP_SETUID the key holder should refuse (exit 2), got exit $rc"; }
pass "without CAP_SETUID the key holder refuses to start (exit 2): $(grep -o 'cannot start: [^:]*' "$WORK/check.err" | head -1)"
