#!/usr/bin/env bash
# Integration: under systemd the daemon logs to journald with a priority per level and fields (SCI=, AN=, REASON=), never key bytes: --log journal, and JOURNAL_STREAM naming its stderr, against a stand-in journald socket in a private mount namespace.
source "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || fail "unshare (util-linux) is required"
topology_up
make_keys
FAKE=$(cd "$(dirname "$0")" && pwd)/fake_journald.py
BADIF=nosuch$$
export NS_BA NAME WORK LINKCRYPTD FAKE PY BADIF

# Without systemd (a minimal chroot or container) there is no /run/systemd to mount over: create
# the empty mount point for this test and remove it afterwards.
if [ ! -e /run/systemd ]; then
  mkdir /run/systemd
  trap 'rc=$?; rmdir /run/systemd 2>/dev/null; (exit $rc); cleanup' EXIT
fi

# Everything that needs the stand-in journald runs in a private mount namespace: a tmpfs over
# /run/systemd there holds its socket; the machine's /run/systemd is not touched.
cat >"$WORK/inner.sh" <<'INNER'
set -euo pipefail
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir /run/systemd/journal
"$PY" "$FAKE" /run/systemd/journal/socket "$WORK/journal.jsonl" &
JPID=$!
trap 'kill $JPID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
[ -S /run/systemd/journal/socket ] || { echo "stand-in journald did not start"; exit 1; }
journal_has() { grep -qF -- "$1" "$WORK/journal.jsonl" 2>/dev/null; }
wait_journal() {
  for _ in $(seq 1 200); do journal_has "$1" && return 0; sleep 0.1; done
  echo "journal never got: $1"; exit 1
}
eal=(-- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-j" --log-level=4)

# 1. --log journal, manual keys: start-up, SIGHUP, SIGTERM.
ip netns exec "$NS_BA" "$LINKCRYPTD" --plain-port net_af_packet0,iface=pa --wire-port net_af_packet1,iface=wa \
    --idle-sleep-us 100 --key-file "$WORK/a.keys" --log journal "${eal[@]}" >"$WORK/j.out" 2>"$WORK/j.err" &
P=$!
wait_journal '"MESSAGE": "running ('
kill -HUP $P
wait_journal '"MESSAGE": "SIGHUP: done'
kill -TERM $P
set +e; wait $P; echo "$?" >"$WORK/j.rc"; set -e

# 2. Started by systemd: JOURNAL_STREAM names our stderr, no --log. A bad port is a config error:
# the journal gets it at priority err, stderr keeps its one "linkcryptd: config:" line.
: >"$WORK/s.err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/s.err") ip netns exec "$NS_BA" "$LINKCRYPTD" --no-keys \
    --plain-port "net_af_packet0,iface=$BADIF" --wire-port net_af_packet1,iface=wa "${eal[@]}" >/dev/null 2>>"$WORK/s.err" &
P=$!
set +e; wait $P; echo "$?" >"$WORK/s.rc"; set -e
sleep 0.3   # the stand-in writes what it received
INNER
unshare --mount --propagation private bash "$WORK/inner.sh" || fail "the journald run failed"

J=$WORK/journal.jsonl
[ -s "$J" ] || fail "nothing reached the stand-in journald"
[ "$(cat "$WORK/j.rc")" = 0 ] || fail "--log journal: exit code $(cat "$WORK/j.rc") after SIGTERM"
# entry 'PREFIX' FIELD=VALUE...: the first journal entry whose MESSAGE starts with PREFIX has these fields.
entry() {
  "$PY" - "$J" "$@" <<'PYEOF' || fail "journal entry '$1' lacks $*"
import json, sys
path, prefix, *want = sys.argv[1:]
entries = [json.loads(l) for l in open(path)]
hit = next((e for e in entries if e.get("MESSAGE", "").startswith(prefix)), None)
if hit is None:
    sys.exit(f"no entry starting {prefix!r}")
for kv in want:
    k, v = kv.split("=", 1)
    if hit.get(k) != v:
        sys.exit(f"{prefix!r}: {k}={hit.get(k)!r}, want {v!r}")
print(json.dumps(hit))
PYEOF
}
pass "running:  $(entry 'running (' PRIORITY=6 SYSLOG_IDENTIFIER=linkcryptd)"
pass "tx SA:    $(entry 'installed transmit SA' PRIORITY=6 SCI="$SCI_A" AN=0 DIR=tx)"
pass "rx SA:    $(entry 'installed receive SA' PRIORITY=6 SCI="$SCI_B" AN=0 DIR=rx)"
pass "reload:   $(entry 'SIGHUP: done' PRIORITY=5 REASON=reload)"
pass "key file: $(entry 'SIGHUP: key-file' PRIORITY=5)"
pass "config:   $(entry 'config: plain port' PRIORITY=3 REASON=config)"
grep -q "no such network interface '$BADIF'" "$J" || fail "the config error's words are not in the journal"
if grep -q ": running (" "$WORK/j.err"; then fail "--log journal also wrote the lines to stderr"; fi
[ "$(cat "$WORK/s.rc")" = 2 ] || fail "JOURNAL_STREAM run: exit code $(cat "$WORK/s.rc"), expected 2"
grep -q "^linkcryptd: config: plain port 'net_af_packet0,iface=$BADIF': no such network interface" "$WORK/s.err" \
  || { cat "$WORK/s.err"; fail "the config error line is missing on stderr"; }
pass "JOURNAL_STREAM: the config error went to the journal (priority 3) and its one line to stderr, exit 2"
for k in "$SAK_A" "$SAK_B" "$SALT_A" "$SALT_B"; do
  if grep -qi "$k" "$J" "$WORK/j.err" "$WORK/s.err"; then fail "key material in the log"; fi
done
pass "no SAK or salt in any journal field or stderr line ($(wc -l <"$J") entries)"
