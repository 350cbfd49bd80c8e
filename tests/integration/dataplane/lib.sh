# Shared helpers for the dataplane integration tests: keys, daemons, counters (the namespace
# plumbing, cleanup and captures are in ../netns_lib.sh).
# Sourced by each test script; every test builds its own uniquely named namespaces and removes
# them (and its daemons, captures, files) on any exit through the EXIT trap.

NETNS_PREFIX=${NETNS_PREFIX:-lc}
source "$(dirname "${BASH_SOURCE[0]}")/../netns_lib.sh"
# The daemons' EAL memory: no hugepages, unless a test sets EAL_MEMORY (dpdk-dumpcap needs them).
[ -n "${EAL_MEMORY+x}" ] || EAL_MEMORY=(--no-huge -m 256)

SCI_A=020000000a000001   # box A's transmit SC
SCI_B=020000000b000001

# Fresh random keys for both directions; box A sends with SAK_A, box B with SAK_B.
# make_keys [SUITE]: gcm-aes-xpn-128 (default) or gcm-aes-128 (32-bit PN, no SSCI/salt).
make_keys() {
  SUITE=${1:-gcm-aes-xpn-128}
  SAK_A=$(openssl rand -hex 16); SALT_A=$(openssl rand -hex 12)
  SAK_B=$(openssl rand -hex 16); SALT_B=$(openssl rand -hex 12)
  write_keyfile "$WORK/a.keys" "$SCI_A" "$SAK_A" 00000001 "$SALT_A" "$SCI_B" "$SAK_B" 00000002 "$SALT_B"
  write_keyfile "$WORK/b.keys" "$SCI_B" "$SAK_B" 00000002 "$SALT_B" "$SCI_A" "$SAK_A" 00000001 "$SALT_A"
  (umask 077; echo "$SAK_A" > "$WORK/sak_a")
}

write_keyfile() {  # path tx_sci tx_sak tx_ssci tx_salt rx_sci rx_sak rx_ssci rx_salt
  local xtx="" xrx=""
  if [ "$SUITE" != "${SUITE/xpn/}" ]; then
    xtx="ssci = $4"$'\n'"salt = $5"; xrx="ssci = $8"$'\n'"salt = $9"
  fi
  (umask 077; cat > "$1" <<KEYS
cipher-suite = $SUITE
[tx]
sci = $2
an = 0
sak = $3
$xtx
[rx]
sci = $6
an = 0
sak = $7
$xrx
KEYS
)
}

# start_daemon NAME NS PLAIN WIRE [extra linkcryptd options...]; sets DPID_<NAME>. PLAIN and WIRE
# are interface names (net_af_packet ports) or whole device arguments ("net_tap0,iface=tpa").
start_daemon() {
  local tag=$1 ns=$2 plain=$3 wire=$4; shift 4
  case "$plain" in net_*) ;; *) plain="net_af_packet0,iface=$plain" ;; esac
  case "$wire" in net_*) ;; *) wire="net_af_packet1,iface=$wire" ;; esac
  # Manual keys keep their PN reservations in the test's own directory, not /var/lib/linkcrypt.
  local state_dir="--state-dir=$WORK/pnstate"
  case " $* " in *" --state-dir "*) state_dir="" ;; esac
  ip netns exec "$ns" "$LINKCRYPTD" \
      --plain-port "$plain" --wire-port "$wire${WIRE_DEVARGS_EXTRA:-}" \
      --idle-sleep-us "${IDLE_SLEEP_US:-100}" "$@" $state_dir \
      -- "${EAL_MEMORY[@]}" --no-pci -l 0,1 --file-prefix "$NAME-$tag" --log-level=4 \
      >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "DPID_$tag=$pid"
  # Ready when it says so; gone means it refused to start.
  for _ in $(seq 1 200); do
    grep -q ": running (" "$WORK/$tag.err" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$tag.err"; fail "linkcryptd $tag did not start"; }
    sleep 0.1
  done
  fail "linkcryptd $tag never reported running"
}

# dump_counters NAME: SIGUSR1, then waits for the new complete dump; prints it.
dump_counters() {
  local tag=$1 pid; pid=$(eval echo "\$DPID_$tag")
  local before; before=$(grep -c '^=== end counters ===' "$WORK/$tag.out" || true)
  kill -USR1 "$pid"
  for _ in $(seq 1 100); do
    local now; now=$(grep -c '^=== end counters ===' "$WORK/$tag.out" || true)
    [ "$now" -gt "$before" ] && break
    sleep 0.05
  done
  awk '/^=== counters ===/{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$WORK/$tag.out"
}

# counter NAME "scope-prefix" COUNTER: the value from a fresh dump (the last field of the line
# whose scope starts with the prefix and whose counter name matches).
counter() {
  dump_counters "$1" | awk -v s="$2" -v n="$3" 'index($0, s) == 1 && $(NF-1) == n {print $NF; f=1} END{if(!f) print "missing"}' | head -n1
}
