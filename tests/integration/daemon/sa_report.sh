#!/usr/bin/env bash
# linkcryptctl sa/status report each SA as the SecY holds it (issue 18 §3): for every suite, with
# manual keys (box A's transmit SA started 1000 PNs before the end of a 32-bit PN space, or of
# 2^64 for XPN) and with IKE keying: suite, SCI, next PN, PN headroom and time to exhaustion.
source "$(dirname "$0")/lib.sh"

topology_up
SCI_A=020000000a000001
SCI_B=020000000b000001

# sa_row TAG DIRECTION SCI-or-empty: the first `sa --json` row of that direction (and SCI), as JSON.
sa_row() { q "$1" sa "[s for s in r['sas'] if s['direction'] == '$2' and ('$3' == '' or s['sci'] == '$3')][0]"; }
field() { "$PY" -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"; }

# check_tx TAG SUITE SCI: one SA row checked against the suite's PN space; prints next_pn.
check_tx() {
  local tag=$1 suite=$2 sci=$3 row max
  # Two rate samples a second apart: traffic for 1.5 s first.
  ip netns exec "$NS_HA" ping -c 30 -i 0.05 -W 2 "$HOST_B" >/dev/null 2>&1 || fail "$suite: ping through the link"
  row=$(sa_row "$tag" tx "")
  [ "$row" != null ] || fail "$suite: box $tag has no tx SA row"
  [ "$(field "$row" suite)" = "$suite" ] || fail "$suite: tx suite shown as '$(field "$row" suite)'"
  [ "$(field "$row" sci)" = "$sci" ] || fail "$suite: tx SCI shown as '$(field "$row" sci)', want $sci"
  case $suite in *xpn*) max=18446744073709551615 ;; *) max=4294967295 ;; esac
  "$PY" - "$row" "$max" "$suite" "${4:-0}" <<'PY' || fail "$suite: tx SA report inconsistent (see above)"
import json, sys
s, max_pn, suite, start = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
nxt, head, tte, pkts = s["next_pn"], s["pn_headroom"], s["time_to_exhaustion_s"], s["packets"]
err = []
if head != max_pn - (nxt - 1):
    err.append(f"pn_headroom {head} != {max_pn} - ({nxt} - 1)")
if start and nxt != start + pkts:
    err.append(f"next_pn {nxt} != first PN {start} + {pkts} frames sent")
if start and head != max_pn - start + 1 - pkts:
    err.append(f"pn_headroom {head} != {max_pn - start + 1 - pkts} (started {max_pn - start + 1} before the end)")
if tte is None or tte <= 0:
    err.append(f"time_to_exhaustion_s is {tte} under traffic")
else:
    rate = head / tte           # frames/s the daemon sampled; ping at 20/s plus ARP/ND
    if not 1 <= rate <= 1000:
        err.append(f"time_to_exhaustion_s {tte} implies {rate:.3g} PN/s for {head} PNs left")
for e in err:
    print(f"{suite}: {e}")
print(f"{suite}: tx next_pn {nxt} pn_headroom {head} time_to_exhaustion_s {tte}", file=sys.stderr)
sys.exit(1 if err else 0)
PY
}

check_rx() {  # TAG SUITE PEER-SCI
  local row; row=$(sa_row "$1" rx "$3")
  [ "$row" != null ] || fail "$2: box $1 has no rx SA for SCI $3"
  [ "$(field "$row" suite)" = "$2" ] || fail "$2: rx suite shown as '$(field "$row" suite)'"
  # 64-bit PNs exceed bash arithmetic: compare in Python.
  "$PY" -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if 1 <= s["lowest_pn"] <= s["next_pn"] else 1)' "$row" ||
    fail "$2: rx lowest_pn outside 1..next_pn: $row"
}

write_manual() {  # TAG SUITE NEXT_PN_A: config + key file for box TAG
  local tag=$1 suite=$2 start=$3 len=16 sak_a sak_b x_a="" x_b=""
  case $suite in *256) len=32 ;; esac
  sak_a=$(cat "$WORK/sak_a_$suite" 2>/dev/null || { openssl rand -hex $len | tee "$WORK/sak_a_$suite"; })
  sak_b=$(cat "$WORK/sak_b_$suite" 2>/dev/null || { openssl rand -hex $len | tee "$WORK/sak_b_$suite"; })
  salt=$(cat "$WORK/salt_$suite" 2>/dev/null || { openssl rand -hex 12 | tee "$WORK/salt_$suite"; })
  case $suite in *xpn*) x_a=$'ssci = 00000001\nsalt = '$salt; x_b=$'ssci = 00000002\nsalt = '$salt ;; esac
  # B's lowest PN follows A's start: an XPN receiver recovers the PN's upper half from it (10.6.2).
  local tx_sci rx_sci tx_sak rx_sak tx_x rx_x next_line="" lowest_line=""
  if [ "$tag" = a ]; then tx_sci=$SCI_A; rx_sci=$SCI_B; tx_sak=$sak_a; rx_sak=$sak_b; tx_x=$x_a; rx_x=$x_b; next_line="next-pn = $start"
  else tx_sci=$SCI_B; rx_sci=$SCI_A; tx_sak=$sak_b; rx_sak=$sak_a; tx_x=$x_b; rx_x=$x_a; lowest_line="lowest-pn = $start"; fi
  (umask 077
   printf 'cipher-suite = %s\n[tx]\nsci = %s\nan = 0\nsak = %s\n%s\n%s\n[rx]\nsci = %s\nan = 0\nsak = %s\n%s\n%s\n' \
     "$suite" "$tx_sci" "$tx_sak" "$next_line" "$tx_x" "$rx_sci" "$rx_sak" "$rx_x" "$lowest_line" >"$WORK/$tag.keys"
   local plain wire; [ "$tag" = a ] && { plain=pa; wire=wa; } || { plain=pb; wire=wb; }
   printf 'plain-port = net_af_packet0,iface=%s\nwire-port = net_af_packet1,iface=%s\nidle-sleep-us = 100\ncontrol-socket = %s\nkey-file = %s\n' \
     "$plain" "$wire" "$WORK/$tag.sock" "$WORK/$tag.keys" >"$WORK/$tag.conf")
}

for suite in gcm-aes-128 gcm-aes-256 gcm-aes-xpn-128 gcm-aes-xpn-256; do
  case $suite in *xpn*) start=18446744073709550616 ;; *) start=4294966296 ;; esac   # 1000 PNs before the end
  write_manual a "$suite" "$start"; write_manual b "$suite" "$start"
  start_daemon a; start_daemon b
  [ "$(q a status 'r["suite"]')" = "$suite" ] || fail "manual $suite: status suite '$(q a status 'r["suite"]')'"
  check_tx a "$suite" "$SCI_A" "$start"
  check_rx b "$suite" "$SCI_A"
  pass "manual $suite: suite, SCI $SCI_A, next PN, headroom (1000 before the end) and time to exhaustion as the SecY holds them"
  stop_daemon a; stop_daemon b
done

make_psk psk
for suite in gcm-aes-128 gcm-aes-256 gcm-aes-xpn-128 gcm-aes-xpn-256; do
  write_config a auth=psk "psk-file=$WORK/psk" "suite=$suite"
  write_config b auth=psk "psk-file=$WORK/psk" "suite=$suite"
  : >"$WORK/a.err"; : >"$WORK/b.err"
  start_daemon a; start_daemon b
  wait_secured a 30; wait_secured b 30
  sci=$(sed -n 's/.*local SCI \([0-9a-f]\{16\}\).*/\1/p' "$WORK/a.err" | head -n1)
  [ -n "$sci" ] || fail "IKE $suite: box A never logged its local SCI"
  [ "$(q a status 'r["suite"]')" = "$suite" ] || fail "IKE $suite: status suite '$(q a status 'r["suite"]')'"
  check_tx a "$suite" "$sci"
  check_rx b "$suite" "$sci"
  pass "IKE $suite: suite, SCI $sci, next PN, headroom and time to exhaustion as the SecY holds them"
  stop_daemon a; stop_daemon b
done
