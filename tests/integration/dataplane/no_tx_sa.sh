#!/usr/bin/env bash
# Integration (5): with no transmit SA (must-secure), nothing leaves box A's wire port; the drops are counted.
source "$(dirname "$0")/lib.sh"

topology_up
start_daemon a "$NS_BA" pa wa --no-keys   # no key file, no IKE: no SA at all
start_capture wb "$NS_BB" wb    # everything box A transmits arrives here

ip -n "$NS_HA" neigh flush dev eth0
ip netns exec "$NS_HA" ping -c 5 -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "ping succeeded without any SA"
ip netns exec "$NS_HA" ping -6 -c 3 -i 0.2 -W 1 fd77::2 >/dev/null 2>&1 || true
stop_capture wb

frames=$(ethertypes "$WORK/wb.pcap" | wc -l)
[ "$frames" -eq 0 ] || { ethertypes "$WORK/wb.pcap" | sort | uniq -c; fail "$frames frame(s) left the wire port without a transmit SA"; }
pass "no frame left the wire port"

dump_counters a >"$WORK/a.txt"
plain_rx=$(awk '$1 == "dataplane" && $2 == "PlainRx" {print $3}' "$WORK/a.txt")
no_sa=$(awk '$1 == "secy" && $2 == "TxNoSa" {print $3}' "$WORK/a.txt")
wire_tx=$(awk '$1 == "dataplane" && $2 == "WireTx" {print $3}' "$WORK/a.txt")
[ "$plain_rx" -gt 0 ] || fail "box A received nothing on its plain port"
[ "$no_sa" -eq "$plain_rx" ] || fail "TxNoSa=$no_sa but PlainRx=$plain_rx: some frame was not counted"
[ "$wire_tx" -eq 0 ] || fail "WireTx=$wire_tx"
pass "every plain frame ($plain_rx) dropped and counted as TxNoSa; WireTx=0"
