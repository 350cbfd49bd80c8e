#!/usr/bin/env bash
# Issue 15.1: forged NO_PROPOSAL_CHOSEN answers to a restarting box's IKE_SA_INIT are ignored and counted; the box keys with the genuine answer inside two retransmission periods, logs the attack at most once a second, and a numbered UDP stream afterwards loses nothing.
source "$(dirname "$0")/lib.sh"

# A long retransmission period, so "keyed within two periods" is read off counters (at most one
# IKE_SA_INIT retransmission, one connect, no failure) and never off a clock.
TIMERS=(retransmit-base-ms=2000 retransmit-limit=3)
LOG_LINE="unauthenticated notify NO_PROPOSAL_CHOSEN received (not trusted)"

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" "${TIMERS[@]}"
write_config b auth=psk "psk-file=$WORK/psk" "${TIMERS[@]}"
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping before the attack"; }

# 1. Box A (the initiator) goes away; the attacker sits on box B's end of the wire (wb), sees
#    everything box A sends and spoofs box B's MAC.
stop_daemon a
mac_b_wire=$(ip netns exec "$NS_BB" cat /sys/class/net/wb/address)
ip netns exec "$NS_BB" "$PY" "$TOOLS/forge_init_notify.py" --iface wb --spoof-mac "$mac_b_wire" \
    --ready "$WORK/forge.ready" --report "$WORK/forge.json" >"$WORK/forge.out" 2>&1 &
forge_pid=$!
PIDS+=("$forge_pid")
wait_for 10 "injector ready" test -s "$WORK/forge.ready"

# 2. Box B is held (SIGSTOP) while box A restarts: the forgeries certainly arrive before the
#    genuine answer, as from an attacker nearer than the responder. Box B's wire frames wait in
#    its socket ring meanwhile.
fail() { kill -CONT "$DPID_b" 2>/dev/null || true; echo "FAIL: $*"; exit 1; }  # never leave B stopped
kill -STOP "$DPID_b"
cp "$WORK/a.err" "$WORK/a-before.err"
: >"$WORK/a.err"
start_daemon a
forged_seen() { n=$(stat a untrusted_notifies); [ "$n" != missing ] && [ "$n" -ge 1 ]; }
wait_for 10 "box A counted a forged notify (ike.keying.untrusted_notifies)" forged_seen
[ "$(q a peer 'r["last_failure"]')" = null ] || fail "box A failed on a forged notify: $(q a peer 'r["last_failure"]')"
[ "$(q a peer 'r["ike_state"]')" != failed ] || fail "box A's IKE state is failed"
pass "box A ignored $(stat a untrusted_notifies) forged NO_PROPOSAL_CHOSEN answer(s) and keeps waiting ($(q a peer 'r["ike_state"]'))"
kill -CONT "$DPID_b"

# 3. Keyed with the genuine answer, in the same attempt, within two retransmission periods.
wait_secured a 30
wait_secured b 30
connects=$(stat a connects); retx=$(stat a session_tx_retransmits)
[ "$connects" = 1 ] || fail "box A needed $connects connection attempts (a forged notify ended one)"
[ "$retx" != missing ] && [ "$retx" -le 1 ] || fail "box A retransmitted $retx times: not keyed within two retransmission periods"
[ "$(q a peer 'r["last_failure"]')" = null ] || fail "box A reports a failure: $(q a peer 'r["last_failure"]')"
pass "box A keyed in its first attempt with $retx retransmission(s) (period ${TIMERS[0]#*=} ms)"

# 4. The attack goes on for a while against the keyed link, then stops.
unrouted_keyed=$(stat a keying_rx_unrouted)
sleep 3
kill -TERM "$forge_pid"; wait "$forge_pid" 2>/dev/null || true
[ -s "$WORK/forge.json" ] || { cat "$WORK/forge.out"; fail "injector wrote no report"; }
read -r inits on_path blind < <("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["inits_seen"], r["on_path_sent"], r["blind_sent"])' "$WORK/forge.json")
[ "$inits" -ge 1 ] && [ "$on_path" -ge 6 ] && [ "$blind" -ge 50 ] \
  || fail "injector: $inits IKE_SA_INIT seen, $on_path on-path and $blind blind forgeries sent"
pass "injector: saw $inits IKE_SA_INIT, sent $on_path forgeries with box A's SPI and $blind blind ones"
is_secured a && is_secured b || fail "the link went down under the attack"

# 5. Visible in counters: the session's and the controller's; blind ones are unrouted.
untrusted=$(stat a untrusted_notifies); session_untrusted=$(stat a session_rx_untrusted_notify)
unrouted=$(stat a keying_rx_unrouted)
[ "$session_untrusted" -ge 1 ] || fail "session rx_untrusted_notify is $session_untrusted"
# 3 s of blind forgeries at 50/s reached the keyed box: at least a third of them must show.
[ "$((unrouted - unrouted_keyed))" -ge 50 ] || fail "box A counted $((unrouted - unrouted_keyed)) unrouted messages in 3 s of blind forgeries"
pass "counters on box A: keying untrusted_notifies $untrusted, session rx_untrusted_notify $session_untrusted, rx_unrouted $unrouted"

# 6. At most one log line a second about it (the daemon's own stamps), naming it untrusted.
grep -F "$LOG_LINE" "$WORK/a.err" >"$WORK/untrusted.log" || fail "box A never logged '$LOG_LINE'"
grep -q "reported by the peer" "$WORK/a.err" && fail "box A blamed the peer: $(grep 'reported by the peer' "$WORK/a.err")"
"$PY" - "$WORK/untrusted.log" <<'PYEOF' || fail "more than one untrusted-notify line per second"
import datetime, sys
stamps = [datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ") for l in open(sys.argv[1])]
gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])]
print(f"  {len(stamps)} line(s); smallest gap {min(gaps) if gaps else '-'} s")
sys.exit(1 if any(g < 0.99 for g in gaps) else 0)
PYEOF
pass "box A logged it $(wc -l <"$WORK/untrusted.log") time(s): $(head -n 1 "$WORK/untrusted.log" | cut -d' ' -f3-)"

# 7. After the attack: a numbered UDP stream through the link loses nothing.
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after the attack"; }
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --ready "$WORK/recv.ready" \
    --report "$WORK/seq.json" --idle-s 10 --deadline-s 60 >"$WORK/seq.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --count 5000 --rate 1000 >"$WORK/send.out"
wait "$recv_pid" && recv_rc=0 || recv_rc=$?
[ "$recv_rc" -eq 0 ] || fail "the stream after the attack lost, duplicated or reordered datagrams: $(cat "$WORK/seq.out")"
pass "after the attack every datagram arrived once and in order: $(cat "$WORK/seq.out")"
alive a && alive b || fail "a daemon died"
