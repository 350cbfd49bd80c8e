#!/usr/bin/env bash
# Self-test of seq_udp.py on loopback: a clean stream passes; a lost, a duplicated and a reordered datagram are each reported.
set -euo pipefail
tool="$(dirname "$0")/seq_udp.py"
work=$(mktemp -d /tmp/seq-udp-selftest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))

# run NAME EXPECT_RC FIELD=VALUE [sender fault options]
run() {
  local name=$1 want_rc=$2 want=$3; shift 3
  rm -f "$work/ready"
  /usr/bin/python3 "$tool" recv --bind 127.0.0.1 --port "$port" --run 7 --ready "$work/ready" \
      --report "$work/$name.json" --idle-s 5 --deadline-s 30 >"$work/$name.out" &
  local pid=$!
  for _ in $(seq 1 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
  /usr/bin/python3 "$tool" send --to 127.0.0.1 --port "$port" --run 7 --count 500 --rate 5000 --linger-s 0.1 "$@" >/dev/null
  local rc=0; wait "$pid" || rc=$?
  cat "$work/$name.out"
  [ "$rc" -eq "$want_rc" ] || { echo "FAIL: $name: exit $rc, expected $want_rc"; exit 1; }
  grep -q " $want " <<<" $(cat "$work/$name.out") " || { echo "FAIL: $name: expected $want"; exit 1; }
  echo "ok: $name ($want)"
}
run clean 0 lost=0
run lost 1 lost=1 --skip 100
run duplicated 1 duplicated=1 --dup 200
run reordered 1 reordered=1 --swap 300
