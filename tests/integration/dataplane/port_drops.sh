#!/usr/bin/env bash
# Drops before the daemon sees a frame are counted (issue 18 §2): box B's wire port has a tiny
# af_packet RX ring and B sleeps 100 ms whenever it is idle, so a UDP burst overflows the ring in
# the kernel. The PMD's imissed must show up as port-wire RxMissed, and in DropsTotal.
source "$(dirname "$0")/lib.sh"

topology_up
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys"
WIRE_DEVARGS_EXTRA=",framecnt=16,blocksz=4096,framesz=2048" IDLE_SLEEP_US=100000 \
  start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys" --control-socket "$WORK/b.sock"

ip netns exec "$NS_HA" ping -c 3 -i 0.3 -W 2 10.77.0.2 >/dev/null || fail "no traffic through the pair"
ip netns exec "$NS_HB" iperf3 -s -D -I "$WORK/iperf.pid" --logfile "$WORK/iperf.srv" -B 10.77.0.2
for _ in $(seq 1 50); do [ -s "$WORK/iperf.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$WORK/iperf.pid")")
# A burst the daemon cannot drain while it sleeps: ~8000 datagrams/s for 2 s.
ip netns exec "$NS_HA" iperf3 -c 10.77.0.2 -u -b 80M -l 1200 -t 2 -J >"$WORK/udp.json" 2>&1 || true

dump_counters b >"$WORK/b.txt"
missed=$(awk '$1 == "port-wire" && $2 == "RxMissed" {print $3}' "$WORK/b.txt")
drops=$(awk '$1 == "dataplane" && $2 == "DropsTotal" {print $3}' "$WORK/b.txt")
wire_rx=$(awk '$1 == "dataplane" && $2 == "WireRx" {print $3}' "$WORK/b.txt")
[ -n "$missed" ] || { cat "$WORK/b.txt"; fail "no port-wire RxMissed counter in the dump"; }
[ "$missed" -gt 0 ] || { grep -E '^port|WireRx' "$WORK/b.txt"; fail "the burst overflowed nothing? RxMissed=0 (WireRx=$wire_rx)"; }
pass "box B's wire port counted $missed frames missed in the kernel ring (WireRx=$wire_rx)"

# The same through the control socket (what `linkcryptctl stats` shows), inside DropsTotal.
"$LINKCRYPTCTL" --socket "$WORK/b.sock" --json stats >"$WORK/stats.json" || fail "linkcryptctl stats"
read -r json_missed drops < <("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["result"]; print(r["ports"]["wire"]["RxMissed"], r["dataplane"]["DropsTotal"])' "$WORK/stats.json")
[ "$json_missed" -ge "$missed" ] || fail "linkcryptctl stats ports.wire.RxMissed=$json_missed < $missed"
[ "$drops" -ge "$json_missed" ] || fail "DropsTotal=$drops does not include RxMissed=$json_missed"
pass "linkcryptctl stats: ports.wire.RxMissed=$json_missed, DropsTotal=$drops includes it"
alive a && alive b || fail "a daemon died"
