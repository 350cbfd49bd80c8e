#!/usr/bin/env bash
# Daemon integration: a wrong DPDK port (an interface that does not exist, a bare kernel interface name, af_packet without iface=, an MTU too small for the SecTAG and ICV) is a config error: exit 2 and one line in an operator's words, not "Operation not permitted" / "Bad address".
source "$(dirname "$0")/lib.sh"

topology_up
NOSUCH=nosuch$$

# run_port PLAIN WIRE [OPTION...]: linkcryptd in box A's namespace with these ports (--no-keys);
# sets RC and OUT (stderr). Bounded: a probe that hangs is a failure too.
run_port() {
  local plain=$1 wire=$2; shift 2
  set +e
  OUT=$(timeout 60 ip netns exec "$NS_BA" "$LINKCRYPTD" --no-keys --plain-port "$plain" --wire-port "$wire" "$@" \
        -- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-pe" --log-level=4 2>&1 >/dev/null)
  RC=$?
  set -e
}

# expect_config_error LABEL WORDS...: exit 2, a "linkcryptd: config: " line with every WORD, none of
# the raw errno texts.
expect_config_error() {
  local label=$1; shift
  [ "$RC" = 2 ] || { echo "$OUT"; fail "$label: exit code $RC, expected 2 (bad configuration)"; }
  local line; line=$(grep "^linkcryptd: config: " <<<"$OUT" || true)
  [ -n "$line" ] || { echo "$OUT"; fail "$label: no 'linkcryptd: config: ' line"; }
  [ "$(wc -l <<<"$line")" = 1 ] || { echo "$OUT"; fail "$label: more than one config line"; }
  for w in "$@"; do
    grep -qF -- "$w" <<<"$line" || { echo "$line"; fail "$label: the line does not say '$w'"; }
  done
  if grep -qE "Operation not permitted|Bad address" <<<"$line"; then fail "$label: raw errno text: $line"; fi
  pass "$label: exit 2: $line"
}

run_port "net_af_packet0,iface=$NOSUCH" "net_af_packet1,iface=wa"
expect_config_error "plain iface does not exist" "plain port 'net_af_packet0,iface=$NOSUCH'" \
  "no such network interface '$NOSUCH'" "ip link"

run_port "net_af_packet0,iface=pa" "net_af_packet1,iface=$NOSUCH"
expect_config_error "wire iface does not exist" "wire port 'net_af_packet1,iface=$NOSUCH'" \
  "no such network interface '$NOSUCH'"

run_port "eth0" "net_af_packet1,iface=wa"
expect_config_error "bare eth0" "plain port 'eth0'" "not a DPDK device" "vfio-pci" "net_af_packet0,iface=eth0"

run_port "pa" "net_af_packet1,iface=wa"   # a kernel interface that exists: the hint names it
expect_config_error "bare existing interface" "plain port 'pa'" "not a DPDK device" "net_af_packet0,iface=pa"

run_port "net_af_packet0" "net_af_packet1,iface=wa"
expect_config_error "af_packet without iface" "net_af_packet needs iface="

# A wire whose MTU (1532) cannot carry a 2000-octet plain frame plus SecTAG and ICV: the port
# reports it as a typed error, which is the operator's to fix like a wrong port.
run_port "net_af_packet0,iface=pa" "net_af_packet1,iface=wa" --plain-mtu 2000
expect_config_error "MTU too small" "is too small" "raise the interface MTU or lower --plain-mtu"

# The checks refuse nothing valid: the same ports spelled right start (--no-keys).
: >"$WORK/ok.err"
ip netns exec "$NS_BA" "$LINKCRYPTD" --no-keys --plain-port net_af_packet0,iface=pa --wire-port net_af_packet1,iface=wa \
    --idle-sleep-us 100 -- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-ok" --log-level=4 \
    >/dev/null 2>"$WORK/ok.err" &
ok_pid=$!
PIDS+=("$ok_pid")
for _ in $(seq 1 200); do
  grep -q ": running (" "$WORK/ok.err" && break
  kill -0 "$ok_pid" 2>/dev/null || { cat "$WORK/ok.err"; fail "valid ports: linkcryptd exited"; }
  sleep 0.1
done
grep -q ": running (" "$WORK/ok.err" || { cat "$WORK/ok.err"; fail "valid ports: never running"; }
kill -TERM "$ok_pid"
wait "$ok_pid" || fail "valid ports: exit code $? after SIGTERM"
pass "valid ports net_af_packet0,iface=pa / net_af_packet1,iface=wa start and stop with exit 0"
