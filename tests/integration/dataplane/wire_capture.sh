#!/usr/bin/env bash
# Integration (2): a capture on the wire shows only MACsec (0x88E5) and key-exchange (0x88B5) frames, never cleartext.
source "$(dirname "$0")/lib.sh"

topology_up
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys"
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"

# Each capture listens where frames arrive (RX side of each wire veth), which the kernel hands to
# every packet socket: wb sees everything box A sends, wa everything box B sends.
start_capture wa "$NS_BA" wa
start_capture wb "$NS_BB" wb

# ARP (neighbour caches flushed), IPv4, IPv6 neighbour discovery and ICMPv6, broadcast, TCP.
ip -n "$NS_HA" neigh flush dev eth0; ip -n "$NS_HB" neigh flush dev eth0
ip netns exec "$NS_HA" ping -c 3 -i 0.2 -W 2 10.77.0.2 >/dev/null || fail "IPv4 ping"
ip netns exec "$NS_HA" ping -6 -c 3 -i 0.2 -W 2 fd77::2 >/dev/null || fail "IPv6 ping"
ip netns exec "$NS_HB" ping -b -c 2 -i 0.2 -W 1 10.77.0.255 >/dev/null 2>&1 || true
ip netns exec "$NS_HB" iperf3 -s -1 -D -B 10.77.0.2 -I "$WORK/iperf.pid"
for _ in $(seq 1 50); do [ -s "$WORK/iperf.pid" ] && break; sleep 0.1; done
ip netns exec "$NS_HA" iperf3 -c 10.77.0.2 -n 2M >/dev/null || fail "iperf3 TCP"

stop_capture wa
stop_capture wb

assert_wire_only_macsec wa wb
