#!/usr/bin/env bash
# Integration (1): ping (IPv4, IPv6) and iperf3 TCP and UDP between the end hosts pass through both appliances.
source "$(dirname "$0")/lib.sh"

topology_up
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys"
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"

ip netns exec "$NS_HA" ping -c 5 -i 0.2 -W 2 10.77.0.2 >"$WORK/ping4" || { cat "$WORK/ping4"; fail "IPv4 ping"; }
pass "IPv4 ping through both appliances"
ip netns exec "$NS_HA" ping -6 -c 5 -i 0.2 -W 2 fd77::2 >"$WORK/ping6" || { cat "$WORK/ping6"; fail "IPv6 ping"; }
pass "IPv6 ping through both appliances"
# Full-size frames: 1472 octets of ICMP payload make a 1514-octet plain frame, 1546 on the wire.
ip netns exec "$NS_HA" ping -M do -s 1472 -c 3 -i 0.2 -W 2 10.77.0.2 >"$WORK/pingbig" || { cat "$WORK/pingbig"; fail "full-MTU ping"; }
pass "full-MTU (1500) frames carried"

ip netns exec "$NS_HB" iperf3 -s -D -I "$WORK/iperf.pid" --logfile "$WORK/iperf.srv" -B 10.77.0.2
for _ in $(seq 1 50); do [ -s "$WORK/iperf.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$WORK/iperf.pid")")
ip netns exec "$NS_HA" iperf3 -c 10.77.0.2 -t 3 -J >"$WORK/tcp.json" || { tail -n 20 "$WORK/tcp.json"; fail "iperf3 TCP"; }
tcp_bytes=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' "$WORK/tcp.json")
[ "$tcp_bytes" -gt 0 ] || fail "iperf3 TCP received nothing"
pass "iperf3 TCP: $tcp_bytes octets received"
ip netns exec "$NS_HA" iperf3 -c 10.77.0.2 -u -b 20M -t 3 -J >"$WORK/udp.json" || { tail -n 20 "$WORK/udp.json"; fail "iperf3 UDP"; }
read -r udp_packets udp_lost < <("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["end"]["sum"]; print(s["packets"], s["lost_packets"])' "$WORK/udp.json")
[ "$udp_packets" -gt "$udp_lost" ] || fail "iperf3 UDP: nothing arrived ($udp_lost of $udp_packets lost)"
pass "iperf3 UDP: $((udp_packets - udp_lost)) of $udp_packets datagrams arrived"

# Both daemons validated what they delivered: InPktsOK grew and nothing failed validation.
ok_b=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
not_valid_b=$(counter b "rx-sa sci=$SCI_A" InPktsNotValid)
[ "$ok_b" != missing ] && [ "$ok_b" -gt 0 ] || fail "box B InPktsOK=$ok_b"
[ "$not_valid_b" = 0 ] || fail "box B InPktsNotValid=$not_valid_b"
ok_a=$(counter a "rx-sa sci=$SCI_B" InPktsOK)
[ "$ok_a" != missing ] && [ "$ok_a" -gt 0 ] || fail "box A InPktsOK=$ok_a"
alive a && alive b || fail "a daemon died"
pass "box B InPktsOK=$ok_b, box A InPktsOK=$ok_a, InPktsNotValid=0"
