#!/usr/bin/env bash
# Daemon integration (6): the UDP transport over a management link between the boxes: keying, traffic and an operator rotation work as in-band, and the wire carries only MACsec.
source "$(dirname "$0")/lib.sh"

topology_up
mgmt_up
ip netns exec "$NS_BA" ping -c 1 -W 2 "$MGMT_B" >/dev/null || fail "management link"
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" transport=udp "udp-local=$MGMT_A" "udp-peer=$MGMT_B"
write_config b auth=psk "psk-file=$WORK/psk" transport=udp "udp-local=$MGMT_B" "udp-peer=$MGMT_A"
start_capture wire "$NS_BA" wa
start_capture mgmt "$NS_BA" mgmta
start_daemon a
start_daemon b
wait_secured a
wait_secured b
[ "$(q a status 'r["transport"]')" = udp ] && [ "$(q b status 'r["transport"]')" = udp ] || fail "status does not say transport udp"
ping_ok 5 || { cat "$WORK/ping.out"; fail "ping"; }
bytes=$(iperf_tcp 2)
[ "$bytes" -gt 0 ] || fail "iperf3 TCP received nothing"
pass "traffic passes over UDP-keyed SAs: ping, iperf3 TCP $bytes octets"

rot_a=$(q a status 'r["rotations"]'); key_a=$(q a status 'r["tx_key_id"]')
ctl a rekey || fail "linkcryptctl rekey"
rotated() { [ "$(q a status 'r["rotations"]')" -gt "$rot_a" ] && [ "$(q a status 'r["tx_key_id"]')" != "$key_a" ] && is_secured b; }
wait_for 15 "the operator rotation completes" rotated
pass "operator rotation over UDP: rotations $rot_a -> $(q a status 'r["rotations"]'), key id $key_a -> $(q a status 'r["tx_key_id"]') (${WAITED_MS} ms)"
q a rotations 'r["rotations"][-1]'
[ "$(q a rotations 'r["rotations"][-1]["reason"]')" = operator ] || fail "last rotation reason is not operator"
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after the rotation"; }
pass "traffic passes after the rotation"

stop_capture wire
stop_capture mgmt
only_macsec_and_kx "$WORK/wire.pcap" none   # the key exchange went over UDP, not the wire
udp_ike=$(ip netns exec "$NS_BA" tshark -n -r "$WORK/mgmt.pcap" -Y 'udp.port == 500 || udp.port == 4500' 2>/dev/null | wc -l)
[ "$udp_ike" -gt 0 ] || fail "no IKE datagrams on the management link"
pass "management link carried $udp_ike IKE datagrams (UDP 500/4500)"
