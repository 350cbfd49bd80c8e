#!/usr/bin/env bash
# Issue 15 §3: control-socket abuse must not take a secured link down. (a) a client floods `stats` without reading: bounded RSS, link stays secured, a numbered UDP stream loses < 1% during and nothing after, one log line a second at most, the client is dropped and counted; (b) 16 idle non-root clients do not lock root out, the one over the limit hears `unavailable`; (c) a non-root user may read but not `rekey` (permission_denied).
source "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to run clients as nobody"

psk_pair_up
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping before the attack"; }

# The socket's group may use it (as in production with a linkcrypt group): here nobody's group.
chmod 0711 "$WORK"
chgrp nogroup "$WORK/a.sock"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$DPID_a/status"; }

# ---- (a) a client that floods `stats` and never reads ----
base=$(rss_kib)
"$PY" - "$WORK/a.sock" >"$WORK/flood.out" 2>&1 <<'PYEOF' &
import socket, sys, time
# Floods for 10 s; when the daemon drops it, it connects again and goes on.
req = b'{"v":1,"cmd":"stats"}\n' * 64
sent, drops, end = 0, 0, time.time() + 10
s = None
while time.time() < end:
    if s is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        s.setblocking(False)
    try:
        sent += s.send(req)
    except BlockingIOError:
        time.sleep(0.001)
    except (BrokenPipeError, ConnectionResetError):
        drops += 1
        s.close()
        s = None
print("sent %d octets of requests in 10 s, never read a reply; dropped by the daemon %d times" % (sent, drops))
PYEOF
flood=$!
PIDS+=("$flood")
# A numbered UDP stream crosses the link during the flood (500 datagrams/s for 11 s).
log_lines_before=$(wc -l <"$WORK/a.err")
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --run 1 --ready "$WORK/recv1.ready" \
    --report "$WORK/seq1.json" --idle-s 10 --deadline-s 60 >"$WORK/seq1.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv1.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --run 1 --count 5500 --rate 500 >"$WORK/send1.out" &
pinger=$!
PIDS+=("$pinger")
peak=$base
status_ok=0
status_tries=0
while kill -0 "$flood" 2>/dev/null; do
  r=$(rss_kib); [ "$r" -gt "$peak" ] && peak=$r
  status_tries=$((status_tries + 1))
  [ "$(q a status 'r["state"]')" = secured ] && status_ok=$((status_ok + 1))
  sleep 0.5
done
wait "$flood" || true
wait "$pinger" || true
cat "$WORK/flood.out"
growth=$(( (peak - base) / 1024 ))
pass "daemon RSS $((base / 1024)) MiB before, peak $((peak / 1024)) MiB during the flood (+$growth MiB)"
[ "$growth" -lt 32 ] || fail "RSS grew by $growth MiB under a flood of unread stats requests (bound: 32 MiB; the daemon holds at most ~6 MiB for 16 clients)"
grep -q "dropped by the daemon [1-9]" "$WORK/flood.out" || fail "the flooding client was never disconnected"
[ "$status_ok" -eq "$status_tries" ] || fail "status from another client answered secured only $status_ok of $status_tries times"
pass "status from another client answered secured $status_ok of $status_tries times during the flood"
wait "$recv_pid" || true
cat "$WORK/seq1.out"
read -r lost1 total1 < <("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["lost"], r["sent"])' "$WORK/seq1.json")
[ $((lost1 * 100)) -lt "$total1" ] || fail "the UDP stream lost $lost1 of $total1 datagrams during the flood (bound: < 1%)"
pass "UDP stream during the flood: $lost1 of $total1 lost (< 1%)"
log_lines=$(( $(wc -l <"$WORK/a.err") - log_lines_before ))
grep -q "control socket refused clients in the last second" "$WORK/a.err" || fail "box A never logged the control-socket flood"
[ "$log_lines" -le 13 ] || { tail -n "$log_lines" "$WORK/a.err" | head -n 20 || true; fail "box A wrote $log_lines log lines in the 11 s of the flood (bound: one a second)"; }
pass "box A logged the flood in $log_lines lines over 11 s: $(grep -m1 'control socket refused' "$WORK/a.err" | sed 's/.*warning: //')"
is_secured a && is_secured b || fail "the link is not secured after the flood"
[ "$(q b status 'r["state"]')" = secured ] || fail "peer B lost the link"
dropped=$(stat a dropped_slow_clients)
[ "$dropped" -ge 1 ] || fail "control.dropped_slow_clients is $dropped after the flood"
pass "control.dropped_slow_clients = $dropped"

# ---- (b) 16 idle non-root clients ----
"${NOBODY[@]}" "$PY" - "$WORK/a.sock" >"$WORK/idle.out" 2>&1 <<'PYEOF' &
import json, socket, sys, time
held = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(1)
# The 16th (one over what a non-root user may hold) hears why before the daemon hangs up.
last = held[-1]
last.settimeout(3)
line = last.makefile().readline()
code = json.loads(line)["error"]["code"] if line else "<nothing>"
print("16th idle client: %s" % code, flush=True)
time.sleep(6)  # hold 15 idle connections while root asks
PYEOF
idle=$!
PIDS+=("$idle")
wait_for 5 "the idle clients connected" grep -q "16th idle client" "$WORK/idle.out"
cat "$WORK/idle.out"
grep -q "16th idle client: unavailable" "$WORK/idle.out" || fail "the client over the limit did not get 'unavailable'"
out=$(ctl a status) || fail "root's linkcryptctl status failed with 15 idle clients connected"
head -n 1 <<<"$out" | grep -q "^link secured" || { echo "$out"; fail "root's status: unexpected output"; }
pass "root's linkcryptctl status answers while 15 non-root clients sit idle"
rejected=$(stat a rejected_clients)
[ "$rejected" -ge 1 ] || fail "control.rejected_clients is $rejected"
pass "control.rejected_clients = $rejected"
kill "$idle" 2>/dev/null || true
wait "$idle" 2>/dev/null || true

# ---- (c) a non-root user reads, but may not rekey ----
out=$("${NOBODY[@]}" "$LINKCRYPTCTL" --socket "$WORK/a.sock" status 2>&1) || { echo "$out"; fail "nobody could not run status"; }
head -n 1 <<<"$out" | grep -q "^link secured" || { echo "$out"; fail "nobody's status: unexpected output"; }
pass "nobody (socket group) runs status"
out=$("${NOBODY[@]}" "$LINKCRYPTCTL" --socket "$WORK/a.sock" help 2>&1) || { echo "$out"; fail "nobody could not run help"; }
grep -q "rekey" <<<"$out" || { echo "$out"; fail "help does not list rekey"; }
pass "help lists the commands: $(q a help '" ".join(x["command"] for x in r["commands"])')"
# linkcryptctl --help advertises exactly the daemon's commands.
cli_help=$("$LINKCRYPTCTL" --help)
for c in $(q a help '" ".join(x["command"] for x in r["commands"])'); do
  grep -qw -- "$c" <<<"$cli_help" || fail "linkcryptctl --help does not advertise '$c'"
done
[ "$(q a help '[x["command"] for x in r["commands"] if not x["read_only"]]')" = '["rekey"]' ] || fail "help: rekey should be the only state-changing command"
pass "linkcryptctl --help advertises every command the daemon lists; only rekey changes state"
rot_before=$(q a status 'r["rotations"]')
if out=$("${NOBODY[@]}" "$LINKCRYPTCTL" --socket "$WORK/a.sock" rekey 2>&1); then
  echo "$out"; fail "nobody was allowed to rekey"
fi
grep -q "permission_denied" <<<"$out" || { echo "$out"; fail "nobody's rekey refused without permission_denied"; }
pass "nobody's rekey refused: $out"
[ "$(stat a permission_denied)" -ge 1 ] || fail "control.permission_denied not counted"
ctl a rekey >/dev/null || fail "root's rekey refused"
wait_for 10 "root's rekey completed" test "$(q a status 'r["rotations"]')" -gt "$rot_before"
pass "root's rekey rotated the keys (rotations $rot_before -> $(q a status 'r["rotations"]'))"
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --run 2 --ready "$WORK/recv2.ready" \
    --report "$WORK/seq2.json" --idle-s 10 --deadline-s 60 >"$WORK/seq2.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv2.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --run 2 --count 2000 --rate 1000 >/dev/null
wait "$recv_pid" && recv_rc=0 || recv_rc=$?
cat "$WORK/seq2.out"
[ "$recv_rc" -eq 0 ] || fail "the UDP stream after the attacks lost, duplicated or reordered datagrams"
is_secured a && is_secured b || fail "the link is not secured after the attacks"
pass "link secured and a UDP stream after all three attacks lost nothing"
