#!/usr/bin/env bash
# Issue 12 §7: "16 idle clients lock the operator out; beyond a backlog of 8, connections fail with no `unavailable` answer". 15 idle non-root clients hold their slots while 200 more connect at once: every one of the 200 connects and hears `unavailable` (none refused or left silent), root's linkcryptctl still gets in, and the idle 15 are told and closed after the idle timeout (30 s), after which a non-root client gets in again.
source "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to run clients as nobody"

psk_pair_up
chmod 0711 "$WORK"
chgrp nogroup "$WORK/a.sock"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# As nobody, who cannot write in $WORK: it reports on stdout ("storm done", then the JSON).
"${NOBODY[@]}" "$PY" - "$WORK/a.sock" >"$WORK/clients.out" 2>"$WORK/clients.err" <<'PYEOF' &
import json, socket, sys, threading, time
path = sys.argv[1]

def first_line(s, timeout):
    s.settimeout(timeout)
    buf = b""
    try:
        while b"\n" not in buf:
            c = s.recv(4096)
            if not c:
                break
            buf += c
    except socket.timeout:
        return "<silent>"
    if not buf:
        return "<closed without a word>"
    try:
        r = json.loads(buf.split(b"\n")[0])
        return r["error"]["code"] + ": " + r["error"]["message"] if not r.get("ok") else "ok"
    except (ValueError, KeyError):
        return "<not a response>"

# 15 idle clients: all a non-root user may hold (the 16th slot is root's).
held = []
for _ in range(15):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
time.sleep(0.5)

# 200 blocking connects at once, as linkcryptctl makes them.
outcomes = [None] * 200
def one(i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    try:
        s.connect(path)
    except OSError as e:
        outcomes[i] = "<connect failed: %s>" % e.strerror
        return
    outcomes[i] = first_line(s, 20)
    s.close()
threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
storm_s = time.time() - t0
print("storm done", flush=True)
# The held clients have sent nothing: after the idle timeout each hears why and is closed.
t1 = time.time()
idle = [first_line(s, 45) for s in held]
print(json.dumps({"storm": outcomes, "storm_s": storm_s, "idle": idle, "idle_after_s": time.time() - t1}), flush=True)
PYEOF
clients=$!
PIDS+=("$clients")
wait_for 60 "the connect storm finished" grep -q "storm done" "$WORK/clients.out"
out=$(ctl a status) || fail "root's linkcryptctl status failed while 15 non-root clients hold their slots"
grep -q "state: *secured" <<<"$out" || { echo "$out"; fail "root's status: unexpected output"; }
pass "root's linkcryptctl status answers while 15 idle non-root clients hold their slots after the storm"
wait "$clients" || { cat "$WORK/clients.out" "$WORK/clients.err"; fail "the client script failed"; }
tail -n 1 "$WORK/clients.out" >"$WORK/storm.json"
"$PY" - "$WORK/storm.json" <<'PY' || fail "not every client heard an answer (above)"
import collections, json, sys
r = json.load(open(sys.argv[1]))
storm = collections.Counter(o.split(":")[0] for o in r["storm"])
idle = collections.Counter(o.split(":")[0] for o in r["idle"])
print(f"  storm of 200 connects ({r['storm_s']:.1f} s): {dict(storm)}")
print(f"  15 idle clients, answered {r['idle_after_s']:.1f} s after the storm: {dict(idle)}; e.g. {r['idle'][0]!r}")
bad = [o for o in r["storm"] if not o.startswith("unavailable: too many control clients")]
bad += [o for o in r["idle"] if not (o.startswith("unavailable: idle") and "closing" in o)]
for o in bad[:10]: print("  unexpected:", o)
sys.exit(1 if bad else 0)
PY
pass "all 200 storm clients connected and heard 'unavailable'; the 15 idle ones were told 'idle ... closing'"
rejected=$(stat a rejected_clients); timeouts=$(stat a idle_timeouts)
[ "$rejected" -ge 200 ] || fail "control.rejected_clients is $rejected, want >= 200"
[ "$timeouts" -ge 15 ] || fail "control.idle_timeouts is $timeouts, want >= 15"
pass "control.rejected_clients = $rejected, control.idle_timeouts = $timeouts"
out=$("${NOBODY[@]}" "$LINKCRYPTCTL" --socket "$WORK/a.sock" status 2>&1) || { echo "$out"; fail "nobody cannot get in after the idle clients were closed"; }
is_secured a && is_secured b || fail "the link is not secured after the storm"
pass "after the idle timeout a non-root client gets in again; the link stayed secured"
