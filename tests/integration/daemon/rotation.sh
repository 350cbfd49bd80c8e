#!/usr/bin/env bash
# Daemon integration (2): rotation every second for 30 s under a sequence-numbered UDP stream: every datagram arrives once and in order, and each rotation reports 0 frames dropped.
source "$(dirname "$0")/lib.sh"

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" rekey-interval-s=1
write_config b auth=psk "psk-file=$WORK/psk" rekey-interval-s=1
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping before the stream"; }   # ARP resolved before counting

drop_counters() {  # TAG WHEN
  echo "box $1 $2: DropsTotal $(stat "$1" DropsTotal), RxMissed $(stat "$1" RxMissed), TxErrors $(stat "$1" TxErrors)," \
       "TxNoSa $(stat "$1" TxNoSa), InPktsNotUsingSA $(stat "$1" InPktsNotUsingSA), InPktsUnusedSA $(stat "$1" InPktsUnusedSA)," \
       "InPktsNotValid $(stat "$1" InPktsNotValid), InPktsLate $(stat "$1" InPktsLate), InPktsUnknownSCI $(stat "$1" InPktsUnknownSCI)," \
       "WireTxQueueFull $(stat "$1" WireTxQueueFull), PlainTxQueueFull $(stat "$1" PlainTxQueueFull)"
}
for t in a b; do drop_counters "$t" "before the stream"; done >"$WORK/drops_before.txt"

stream_start=$(date +%s)
# 1000 datagrams/s for 31 s: the receiver counts every sequence number (tools/seq_udp.py).
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --ready "$WORK/recv.ready" \
    --report "$WORK/seq.json" --idle-s 15 --deadline-s 120 >"$WORK/seq.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --count 31000 --rate 1000 >"$WORK/send.out"
wait "$recv_pid" && recv_rc=0 || recv_rc=$?
cat "$WORK/seq.out"
if [ "$recv_rc" -ne 0 ]; then
  # Where the datagram went: every drop counter of both boxes, and the host-side interfaces.
  # The counters run since start-up (frames the hosts sent before keying count as TxNoSa): compare with before.
  cat "$WORK/drops_before.txt"
  for t in a b; do drop_counters "$t" "after the stream"; done
  ip -n "$NS_HA" -s link show eth0 | tail -4; ip -n "$NS_HB" -s link show eth0 | tail -4
  fail "the stream lost, duplicated or reordered datagrams: $(cat "$WORK/seq.out")"
fi
pass "every datagram arrived once and in order: $(cat "$WORK/seq.out")"

alive a && alive b || fail "a daemon died"
ctl a rotations >"$WORK/rot.txt" || fail "linkcryptctl rotations"
tail -n 5 "$WORK/rot.txt"
for t in a b; do
  ctl "$t" --json rotations >"$WORK/rot_$t.json"
  "$PY" - "$WORK/rot_$t.json" "$t" "$stream_start" <<'PYEOF' || fail "box $t rotation log"
import json, sys
rots = [x for x in json.load(open(sys.argv[1]))["result"]["rotations"] if x["when"] >= int(sys.argv[3])]
tag = sys.argv[2]
bad = [x for x in rots if x["frames_dropped"] != 0]
same = [x for x in rots if x["old_key_id"] == x["new_key_id"]]
print(f"box {tag}: {len(rots)} rotations during the stream, reasons {sorted(set(x['reason'] for x in rots))}, "
      f"duration_ms max {max((x['duration_ms'] for x in rots), default=0)}, frames dropped {sum(x['frames_dropped'] for x in rots)}")
if len(rots) < 25:
    sys.exit(f"box {tag}: only {len(rots)} rotations in 30 s (want >= 25)")
if bad:
    sys.exit(f"box {tag}: rotations with dropped frames: {bad[:3]}")
if same:
    sys.exit(f"box {tag}: rotation kept its key id: {same[:3]}")
PYEOF
done
pass "both boxes: >= 25 rotations, each with frames_dropped 0 and a new key id"
