#!/usr/bin/env bash
# Daemon integration (3): kill -9 one daemon under traffic: the other detects the dead peer within the liveness time and sends nothing in the clear; restarted, a new IKE SA is up and traffic flows again with fresh keys.
source "$(dirname "$0")/lib.sh"

# A dead peer is detected within liveness-interval-ms + base * (2^(limit+1) - 1) (docs/config.md):
# here 1000 + 250 * 7 = 2750 ms. The test allows that plus 3 s for polling on a loaded machine.
# reconnect-max-ms bounds the back-off so the restarted peer is retried within 2 s.
LIVENESS=(liveness-interval-ms=1000 retransmit-base-ms=250 retransmit-limit=2 reconnect-max-ms=2000)
DETECT_BOUND_MS=2750
DETECT_S=6

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" "${LIVENESS[@]}"
write_config b auth=psk "psk-file=$WORK/psk" "${LIVENESS[@]}"
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping before the kill"; }
key_a_before=$(q a status 'r["tx_key_id"]')
key_b_before=$(q b status 'r["tx_key_id"]')

# Traffic from host A all along (the kernel keeps trying; ARP too once the entry expires).
ip netns exec "$NS_HA" ping -i 0.1 "$HOST_B" >/dev/null 2>&1 &
PIDS+=("$!")
start_capture wire "$NS_BA" wa
sleep 1

kill -9 "$DPID_b"
wait "$DPID_b" 2>/dev/null || true
peer_gone() { [ "$(q a peer 'r["last_failure"]["reason"]')" = PeerDead ] && [ "$(q a peer 'r["ike_state"]')" != established ] && ! is_secured a; }
wait_for "$DETECT_S" "box A reports PeerDead (linkcryptctl peer)" peer_gone
pass "box A reported the peer dead after ${WAITED_MS} ms (configured bound ${DETECT_BOUND_MS} ms): state $(q a status 'r["state"]'), ike_state $(q a peer 'r["ike_state"]')"
echo "  box A peer: $(q a peer 'r')"
[ "$(q a status 'r["tx_an"]')" = null ] || fail "box A still has a transmit SA after the peer died"
[ "$(q a status 'r["must_secure"]')" = true ] || fail "box A is not must-secure"
nosa_before=$(stat a TxNoSa)
sleep 2   # host A keeps sending: those frames must be dropped, never sent in the clear
nosa_after=$(stat a TxNoSa)
[ "$nosa_before" != missing ] && [ "$nosa_after" -gt "$nosa_before" ] || fail "box A did not count plain frames dropped for lack of a TX SA ($nosa_before -> $nosa_after)"
pass "box A dropped and counted $((nosa_after - nosa_before)) plain frames while down (must-secure)"

# Restart box B: automatic re-establishment (box A retries with back-off).
cp "$WORK/b.err" "$WORK/b-killed.err"
start_daemon b
both_secured() { is_secured a && is_secured b; }
wait_for 20 "new IKE SA up on both sides" both_secured
pass "new IKE SA up on both sides ${WAITED_MS} ms after the restart"
wait_for 10 "traffic flows again" ping_ok 1
pass "traffic flows again ${WAITED_MS} ms after both sides were secured"
stop_capture wire
only_macsec_and_kx "$WORK/wire.pcap"

key_a_after=$(q a status 'r["tx_key_id"]')
key_b_after=$(q b status 'r["tx_key_id"]')
[ "$key_a_after" != "$key_a_before" ] && [ "$key_a_after" != null ] || fail "box A key id not fresh: $key_a_before -> $key_a_after"
[ "$key_b_after" != "$key_b_before" ] && [ "$key_b_after" != null ] || fail "box B key id not fresh: $key_b_before -> $key_b_after"
pass "fresh keys: box A $key_a_before -> $key_a_after, box B $key_b_before -> $key_b_after"
