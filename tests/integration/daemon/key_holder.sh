#!/usr/bin/env bash
# Issue 11 §1: key-holder = process. A PSK pair keyed through key holders; the PSK is in the key
# holder's memory and nowhere in linkcryptd's; the key holder runs unprivileged under seccomp;
# kill -9 of the key holder under traffic: the link stays secured, the wire carries no cleartext,
# the key holder is restarted, an operator rekey and a fresh handshake then succeed.
source "$(dirname "$0")/lib.sh"

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" key-holder=process
write_config b auth=psk "psk-file=$WORK/psk" key-holder=process
start_daemon a
start_daemon b
wait_secured a
wait_secured b

field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

for t in a b; do
  kh=$(key_holder_of "$t") || fail "box $t: no key holder child of linkcryptd"
  [ "$(field "$kh" Seccomp)" = 2 ] || fail "box $t key holder: Seccomp $(field "$kh" Seccomp), want 2 (filter)"
  [ "$(field "$kh" Uid)" != 0 ] || fail "box $t key holder runs as uid 0"
  [ "$(field "$kh" CapEff)" = 0000000000000000 ] || fail "box $t key holder CapEff $(field "$kh" CapEff)"
  [ "$(field "$kh" NoNewPrivs)" = 1 ] || fail "box $t key holder NoNewPrivs $(field "$kh" NoNewPrivs)"
  pass "box $t key holder pid $kh: Seccomp 2, uid $(field "$kh" Uid), CapEff 0, NoNewPrivs 1, VmLck $(field "$kh" VmLck) kB"
  grep -q "request psk-auth purpose=our-auth peer=.* result=ok" "$WORK/$t.err" ||
    { cat "$WORK/$t.err"; fail "box $t: the key holder logged no psk-auth use"; }
done
ping_ok 5 || { cat "$WORK/ping.out"; fail "ping through the key-holder-keyed link"; }
pass "traffic passes through the pair keyed through key holders"

# The PSK's bytes: in the key holder, never in linkcryptd (the readable maps of each).
for t in a b; do
  dpid=$(eval echo "\$DPID_$t")
  kh=$(key_holder_of "$t")
  in_daemon=$("$PY" "$TOOLS/proc_mem_count.py" "$dpid" "$WORK/psk")
  in_holder=$("$PY" "$TOOLS/proc_mem_count.py" "$kh" "$WORK/psk")
  [ "$in_daemon" = 0 ] || fail "box $t: the PSK is $in_daemon times in linkcryptd's memory"
  [ "$in_holder" -ge 1 ] || fail "box $t: the PSK is not in the key holder's memory ($in_holder)"
  pass "box $t: PSK copies in memory: linkcryptd $in_daemon, key holder $in_holder"
done

# kill -9 the key holder of A under traffic, with the wire captured.
start_capture wire "$NS_BA" wa
ip netns exec "$NS_HA" ping -i 0.05 -c 200 -W 1 "$HOST_B" >"$WORK/flow.out" 2>&1 &
flow=$!
PIDS+=("$flow")
sleep 1
old=$(key_holder_of a)
kill -9 "$old"
restarted() { local n; n=$(key_holder_of a) && [ "$n" != "$old" ] && [ "$(field "$n" Seccomp)" = 2 ]; }
wait_for 15 "box a's key holder restarted" restarted
new=$(key_holder_of a)
pass "box a key holder $old killed, $new started in ${WAITED_MS} ms"
grep -q "key holder (pid $old) killed by signal 9" "$WORK/a.err" || { cat "$WORK/a.err"; fail "linkcryptd did not log the key holder's death"; }
is_secured a && is_secured b || fail "the link is not secured after the key holder died"
wait "$flow" || true
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/flow.out")
[ "${received:-0}" -gt 150 ] || { cat "$WORK/flow.out"; fail "traffic stopped while the key holder restarted ($received of 200)"; }
pass "the installed SAs kept carrying traffic: $received of 200 pings"

# An operator rekey after the restart.
rot=$(q a status 'r["rotations"]')
key=$(q a status 'r["tx_key_id"]')
ctl a rekey >/dev/null || fail "linkcryptctl rekey"
rotated() { [ "$(q a status 'r["rotations"]')" -gt "$rot" ] && [ "$(q a status 'r["tx_key_id"]')" != "$key" ] && is_secured b; }
wait_for 20 "the rekey after the key holder restart" rotated
pass "rekey after the key-holder restart: key id $key -> $(q a status 'r["tx_key_id"]')"

# A fresh IKE_AUTH (B restarts) needs A's new key holder: it answers.
stop_daemon b
start_daemon b
wait_secured a 30
wait_secured b 30
grep -q "linkcrypt-keyholder\[$new\]: request psk-auth .* result=ok" "$WORK/a.err" ||
  { grep keyholder "$WORK/a.err"; fail "box a's new key holder served no psk-auth"; }
pass "a fresh handshake used box a's restarted key holder (pid $new)"
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after the new handshake"; }
stop_capture wire
only_macsec_and_kx "$WORK/wire.pcap"
stop_daemon a
stop_daemon b

# Ed25519 raw public keys through key holders: SIGN requests; the private key's 32 octets are in
# the key holder only.
make_ed25519 a
make_ed25519 b
write_config a auth=pubkey "private-key-file=$WORK/a.key" "peer-public-key-file=$WORK/b.pub" key-holder=process
write_config b auth=pubkey "private-key-file=$WORK/b.key" "peer-public-key-file=$WORK/a.pub" key-holder=process
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping over the Ed25519 pair"; }
for t in a b; do
  grep -q "request sign purpose=our-auth peer=.* result=ok" "$WORK/$t.err" || fail "box $t: the key holder logged no sign"
  # The raw Ed25519 private key: the last 32 octets of its PKCS#8 DER.
  (umask 077; openssl pkey -in "$WORK/$t.key" -outform DER | tail -c 32 >"$WORK/$t.raw")
  dpid=$(eval echo "\$DPID_$t")
  in_daemon=$("$PY" "$TOOLS/proc_mem_count.py" "$dpid" "$WORK/$t.raw")
  in_holder=$("$PY" "$TOOLS/proc_mem_count.py" "$(key_holder_of "$t")" "$WORK/$t.raw")
  [ "$in_daemon" = 0 ] || fail "box $t: the Ed25519 private key is $in_daemon times in linkcryptd's memory"
  [ "$in_holder" -ge 1 ] || fail "box $t: the Ed25519 private key is not in the key holder ($in_holder)"
  pass "box $t Ed25519: signed by the key holder; private key copies: linkcryptd $in_daemon, key holder $in_holder"
done
stop_daemon a
stop_daemon b
