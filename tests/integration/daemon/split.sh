#!/usr/bin/env bash
# Issue 11 §1: process-model = split. Box A runs as a supervisor with a dataplane, an IKE and a
# key-holder process (box B too). Checks: the IKE process and the key holder run unprivileged under
# seccomp; the PSK is only in the key holder; no SAK in the IKE process after the hand-over. Then,
# under traffic and with the wire captured, kill -9 of A's IKE process (the dataplane keeps its SAs,
# a new IKE process re-keys), of A's dataplane (restarted, fresh SAKs, none re-sent), of A's key
# holder (a new one with a new IKE process): the link is secured again each time, traffic resumes,
# and the wire carries 0 frames other than MACsec and key exchange.
source "$(dirname "$0")/lib.sh"

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" process-model=split "keylog=$WORK/a.keylog"
write_config b auth=psk "psk-file=$WORK/psk" process-model=split
start_daemon a
start_daemon b
wait_secured a 30
wait_secured b 30

# child TAG COMM: the pid of box TAG's supervisor child whose comm is COMM (15 characters at most).
child() {
  local spid; spid=$(eval echo "\$DPID_$1")
  local c
  for c in $(cat /proc/"$spid"/task/*/children 2>/dev/null); do
    [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ] && { echo "$c"; return 0; }
  done
  return 1
}
ike_of() { child "$1" linkcrypt-ike; }
dp_of() { child "$1" linkcryptd; }
kh_of() { child "$1" linkcrypt-keyho; }
field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
unprivileged() {  # PID NAME
  [ "$(field "$1" Seccomp)" = 2 ] || fail "$2: Seccomp $(field "$1" Seccomp), want 2 (filter)"
  [ "$(field "$1" Uid | cut -f1)" != 0 ] || fail "$2 runs as uid 0"
  [ "$(field "$1" CapEff)" = 0000000000000000 ] || fail "$2 CapEff $(field "$1" CapEff)"
  [ "$(field "$1" NoNewPrivs)" = 1 ] || fail "$2 NoNewPrivs $(field "$1" NoNewPrivs)"
  pass "$2 pid $1: Seccomp 2, uid $(field "$1" Uid | cut -f1), CapEff 0, NoNewPrivs 1"
}
for t in a b; do
  dp=$(dp_of "$t") || fail "box $t: no dataplane child of the supervisor"
  ike=$(ike_of "$t") || fail "box $t: no IKE child of the supervisor"
  kh=$(kh_of "$t") || fail "box $t: no key-holder child of the supervisor"
  unprivileged "$ike" "box $t IKE process"
  unprivileged "$kh" "box $t key holder"
  [ "$(field "$dp" NoNewPrivs)" = 1 ] || fail "box $t dataplane NoNewPrivs $(field "$dp" NoNewPrivs)"
  [ "$(field "$dp" CapEff)" = 0000000000027000 ] || fail "box $t dataplane CapEff $(field "$dp" CapEff), want NET_ADMIN NET_RAW IPC_LOCK SYS_RAWIO only"
  pass "box $t dataplane pid $dp: NoNewPrivs 1, CapEff 0000000000027000 (NET_ADMIN NET_RAW IPC_LOCK SYS_RAWIO)"
  spid=$(eval echo "\$DPID_$t")
  for p in "$spid:supervisor" "$dp:dataplane" "$ike:IKE"; do
    n=$("$PY" "$TOOLS/proc_mem_count.py" "${p%%:*}" "$WORK/psk")
    [ "$n" = 0 ] || fail "box $t: the PSK is $n times in the ${p#*:} process"
  done
  n=$("$PY" "$TOOLS/proc_mem_count.py" "$kh" "$WORK/psk")
  [ "$n" -ge 1 ] || fail "box $t: the PSK is not in the key holder ($n)"
  pass "box $t: PSK only in the key holder ($n), 0 in supervisor, dataplane and IKE process"
done
[ "$(q a status 'r["role"]')" = initiator ] || fail "status of the split daemon has no role"

# sak_check LABEL: every SAK box A's dataplane logged: none in A's IKE process; the newest transmit
# SAK is in the dataplane (so the search would find one).
sak_check() {
  local ike dp i=0 n; ike=$(ike_of a); dp=$(dp_of a)
  for sak in $(sed -n 's/.* sak=\([0-9a-f]*\) .*/\1/p' "$WORK/a.keylog" | sort -u); do
    printf '%s' "$sak" | xxd -r -p >"$WORK/sak.bin"
    n=$("$PY" "$TOOLS/proc_mem_count.py" "$ike" "$WORK/sak.bin")
    [ "$n" = 0 ] || fail "$1: a SAK is $n times in the IKE process after the hand-over"
    i=$((i + 1))
  done
  sed -n 's/.* sak=\([0-9a-f]*\) .* dir=tx$/\1/p' "$WORK/a.keylog" | tail -n 1 | xxd -r -p >"$WORK/sak.bin"
  n=$("$PY" "$TOOLS/proc_mem_count.py" "$dp" "$WORK/sak.bin")
  [ "$n" -ge 1 ] || fail "$1: the active transmit SAK is not in the dataplane process ($n)"
  pass "$1: $i SAKs handed over, 0 copies in the IKE process (pid $ike); the active one is in the dataplane"
}
sak_check "after the first handshake"

start_capture wire "$NS_BA" wa
ip netns exec "$NS_HA" ping -i 0.05 -c 400 -W 1 "$HOST_B" >"$WORK/flow.out" 2>&1 &
flow=$!
PIDS+=("$flow")
sleep 1
seen_keys=" $(q a status 'r["tx_key_id"]') "
rekeyed() {  # secured on both sides with a transmit key id not seen before
  local k; k=$(q a status 'r["tx_key_id"]')
  is_secured a && is_secured b && [ -n "$k" ] && [ "$k" != null ] && [[ "$seen_keys" != *" $k "* ]]
}

# 1. The IKE process dies: the dataplane keeps its SAs, a new IKE process re-keys.
dp=$(dp_of a); ike=$(ike_of a)
kill -9 "$ike"
sas=$(ctl a --json sa | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["sas"]))')
[ "$sas" -ge 2 ] || fail "the dataplane dropped its SAs when the IKE process died ($sas left)"
wait_for 20 "a new IKE process re-keyed" rekeyed
new_ike=$(ike_of a)
[ "$new_ike" != "$ike" ] || fail "the IKE process was not replaced"
[ "$(dp_of a)" = "$dp" ] || fail "the dataplane was restarted when only the IKE process died"
grep -q "IKE process (pid $ike) killed by signal 9" "$WORK/a.err" || fail "the supervisor did not log the IKE process's death"
pass "IKE process $ike killed: dataplane $dp kept $sas SAs, IKE process $new_ike re-keyed in ${WAITED_MS} ms (tx key $(q a status 'r["tx_key_id"]'))"
seen_keys+="$(q a status 'r["tx_key_id"]') "
sak_check "after the IKE restart"

# 2. The dataplane dies: the IKE process ends with it; all restart; fresh SAKs, never old ones.
kill -9 "$dp"
dp_restarted() { local n; n=$(dp_of a) && [ "$n" != "$dp" ] && rekeyed; }
wait_for 40 "a new dataplane keyed with fresh SAKs" dp_restarted
[ "$(ike_of a)" != "$new_ike" ] || fail "the IKE process outlived the dataplane it keyed"
grep -q "dataplane process (pid $dp) killed by signal 9" "$WORK/a.err" || fail "the supervisor did not log the dataplane's death"
pass "dataplane $dp killed: new dataplane $(dp_of a), IKE process $(ike_of a), secured in ${WAITED_MS} ms (tx key $(q a status 'r["tx_key_id"]'))"
seen_keys+="$(q a status 'r["tx_key_id"]') "
lines=$(grep -c ' sak=' "$WORK/a.keylog")
unique=$(sed -n 's/.* sak=\([0-9a-f]*\) .*/\1/p' "$WORK/a.keylog" | sort -u | wc -l)
[ "$lines" = "$unique" ] || fail "a SAK was installed twice ($lines installs, $unique distinct SAKs)"
pass "every SA installed had a SAK never used before ($lines installs, $unique distinct)"

# 3. The key holder dies: a new one with a new IKE process; the dataplane keeps its SAs meanwhile.
kh=$(kh_of a); ike=$(ike_of a)
kill -9 "$kh"
kh_restarted() { local n; n=$(kh_of a) && [ "$n" != "$kh" ] && rekeyed; }
wait_for 20 "a new key holder and IKE process re-keyed" kh_restarted
pass "key holder $kh killed: key holder $(kh_of a), IKE process $(ike_of a) re-keyed in ${WAITED_MS} ms"

wait "$flow" || true
stop_capture wire
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/flow.out")
[ "${received:-0}" -gt 250 ] || { cat "$WORK/flow.out"; fail "traffic did not resume ($received of 400)"; }
pass "traffic through the three restarts: $received of 400 pings answered"
only_macsec_and_kx "$WORK/wire.pcap"
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after the restarts"; }
pass "traffic passes after the restarts"
for k in $(sed -n 's/.* sak=\([0-9a-f]*\) .*/\1/p' "$WORK/a.keylog"); do
  grep -qi "$k" "$WORK/a.err" "$WORK/a.out" && fail "a SAK appears in box A's log"
done
pass "no SAK in the logs"
stop_daemon a
stop_daemon b
grep -q "supervisor: stopping" "$WORK/a.err" || fail "box a's supervisor did not log its stop"
