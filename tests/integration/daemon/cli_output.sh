#!/usr/bin/env bash
# linkcryptctl's human output from a real IKE-keyed pair (issue 12 §1): every line of every
# command fits 100 columns (status' first line excepted: one line that is the whole answer), and
# that line says "link secured"; `sa` shows the pps and bit/s the daemon samples while traffic
# flows; `stats` files every counter the daemon sends under a section (nothing left in "other");
# `sa --watch` redraws until SIGINT and exits 0; after the peer shuts down, status' first line
# gives the typed cause with its hint.
source "$(dirname "$0")/lib.sh"

psk_pair_up

# fits FILE LABEL [SKIP_FIRST]: every line at most 100 columns (code points; "…" is one).
fits() {
  "$PY" - "$1" "$2" "${3:-0}" <<'PY' || fail "$2: wider than 100 columns"
import sys
path, label, skip = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(path, encoding="utf-8").read().splitlines()
bad = [(n, l) for n, l in enumerate(lines, 1) if n > skip and len(l) > 100]
for n, l in bad:
    print(f"{label}: line {n} has {len(l)} columns: {l}")
widest = max((len(l) for n, l in enumerate(lines, 1) if n > skip), default=0)
print(f"{label}: {len(lines)} lines, widest {widest} columns", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# Traffic for the rates: 20 pings a second from host A while the outputs are taken.
ip netns exec "$NS_HA" ping -i 0.05 "$HOST_B" >"$WORK/ping.bg" 2>&1 &
PING_PID=$!
PIDS+=("$PING_PID")
sleep 2.5   # two rate samples (one a second) with traffic between them
ctl a rekey >/dev/null || fail "rekey"
rotation_done() { [ "$(q a rotations 'r["rotations"][-1]["complete"]')" = true ]; }
wait_for 10 "the operator rotation completed" rotation_done
sleep 1.5   # the new SA's rate needs two samples too

for cmd in status sa stats peer rotations help; do
  for wide in "" -w; do
    ctl a $wide $cmd >"$WORK/out.$cmd$wide" 2>&1 || { cat "$WORK/out.$cmd$wide"; fail "linkcryptctl $wide $cmd"; }
  done
  echo "---- linkcryptctl $cmd (box A)"
  cat "$WORK/out.$cmd"
  skip=0; [ "$cmd" = status ] && skip=1
  fits "$WORK/out.$cmd" "$cmd" "$skip"
done
ctl a -a stats >"$WORK/out.stats-all" || fail "linkcryptctl -a stats"
fits "$WORK/out.stats-all" "stats --all"
pass "status, sa, stats (and --all), peer, rotations, help: every line within 100 columns"

head -n 1 "$WORK/out.status" | grep -q "^link secured: gcm-aes-xpn-256 keys from IKEv2 with $ID_B, transmit AN [0-3]$" ||
  fail "status' first line: $(head -n 1 "$WORK/out.status")"
pass "status opens with: $(head -n 1 "$WORK/out.status")"

# The daemon's sampled rates, in the JSON and in the table (ping: ~20 frames/s, ~100 octets each).
kill -0 "$PING_PID" 2>/dev/null || { cat "$WORK/ping.bg"; fail "the background ping stopped"; }
read -r pps bps < <(q a sa '" ".join(str(s[k]) for s in r["sas"] if s["direction"] == "tx" and s["state"] == "active" for k in ("rate_pps", "rate_bps"))')
"$PY" -c 'import sys; p, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if 5 <= p <= 1000 and 2000 <= b <= 2e6 else 1)' \
  "$pps" "$bps" || { q a sa 'r'; tail -n 5 "$WORK/ping.bg"; fail "tx SA rates: $pps pkt/s, $bps bit/s under a 20/s ping"; }
grep -Eq '^ +[0-3] +active .* [0-9.]+ (kbit|bit)/s +[0-9]+$' "$WORK/out.sa" || fail "sa: no active SA row with a bit rate"
pass "sa: the daemon's sampled rates, $pps pkt/s and $bps bit/s on the transmit SA, shown in the table"

grep -q '^other:' "$WORK/out.stats" && fail "stats: counters no section claims: $(sed -n '/^other:/,$p' "$WORK/out.stats")"
grep -q 'IdleLoops\|ProtectCycles' "$WORK/out.stats" && fail "stats: developer counters shown without --all"
grep -q 'IdleLoops' "$WORK/out.stats-all" || fail "stats --all: no developer counters"
pass "stats: every counter of the daemon in a named section; developer counters only with --all"

# --watch into a file (no terminal): one frame per interval; SIGINT ends it with exit 0.
# (The binary itself, not the ctl function: a backgrounded function is a subshell, and a
# non-interactive shell's background jobs ignore SIGINT.)
"$LINKCRYPTCTL" --socket "$WORK/a.sock" sa --watch 0.5 >"$WORK/watch.out" 2>&1 &
wpid=$!
PIDS+=("$wpid")
sleep 2.3
kill -INT "$wpid"
for _ in $(seq 1 50); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$wpid" 2>/dev/null && { kill -KILL "$wpid"; fail "sa --watch still runs 5 s after SIGINT"; }
wait "$wpid" && wrc=0 || wrc=$?
frames=$(grep -c '^every 0.5 s: linkcryptctl sa' "$WORK/watch.out" || true)
[ "$wrc" = 0 ] || fail "sa --watch exited $wrc on SIGINT"
[ "$frames" -ge 3 ] || { cat "$WORK/watch.out"; fail "sa --watch drew $frames frames in 2.3 s"; }
fits "$WORK/watch.out" "sa --watch"
pass "sa --watch 0.5: $frames frames in 2.3 s, exit 0 on SIGINT"

# The peer shuts down (IKE Delete): box A's first line names the cause and gives its hint.
stop_daemon b
headline_says_why() {
  local head hint; head=$(ctl a status | head -n 1); hint=$(q a peer 'r["last_failure"]["hint"]')
  case $head in "link NOT secured: IkeDeleted "*": $hint") echo "$head" >"$WORK/headline"; return 0 ;; esac
  return 1
}
wait_for 15 "box A's status names IkeDeleted with its hint" headline_says_why
pass "after box B stopped, box A's status opens with: $(cat "$WORK/headline")"
ctl a status >"$WORK/out.status-down"
cat "$WORK/out.status-down"
fits "$WORK/out.status-down" "status (not secured)" 1
