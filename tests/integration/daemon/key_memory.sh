#!/usr/bin/env bash
# Issue 11 §2: while a pair runs with a known PSK (IKE) and then with known SAKs (key files), box A's
# /proc/PID/mem holds the PSK exactly once and every copy of a SAK in mlock'ed, MADV_DONTDUMP
# pages (smaps VmFlags lo+dd); no key appears in any log or linkcryptctl output.
source "$(dirname "$0")/lib.sh"

copies() {  # PID LABEL=HEX...: key_copies.py's JSON into $WORK/copies.json, shown
  "$PY" "$TOOLS/key_copies.py" "$@" >"$WORK/copies.json"
  "$PY" - "$WORK/copies.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
for label, v in r.items():
    if label == "unreadable":
        print(f"   unreadable mappings: {len(v)}")
        continue
    print(f"   {label}: {v['copies']} copies, {v['locked_dontdump']} in locked+dontdump pages")
    for addr, path, flags in v["where"]:
        print(f"      {addr} {path} [{flags}]")
PYEOF
}
field() { "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r[sys.argv[2]][sys.argv[3]])' "$WORK/copies.json" "$1" "$2"; }
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

no_key_in() {  # KEY-TEXT FILES...: neither the key's hex nor its text (case-insensitive) in any file
  local key=$1; shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    if grep -qiF "$key" "$f"; then fail "key material in $f"; fi
  done
}

# The linkcrypt processes of box TAG: linkcryptd and every process under it (the key holder today).
processes_of() {
  local todo=("$(eval echo "\$DPID_$1")") p c
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}")
    echo "$p"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
  done
}
core_limit_zero() {  # PID NAME
  grep -q "Max core file size *0 *0" "/proc/$1/limits" || { grep core "/proc/$1/limits"; fail "$2: RLIMIT_CORE is not 0"; }
}
# A process that is not dumpable (PR_SET_DUMPABLE 0) has the files in /proc/PID owned by root (the
# directory itself keeps its owner: task_dump_owner); a
# dumpable one by its own user. Only tells the two apart for a process that is not root.
not_dumpable() {  # PID NAME
  local owner; owner=$(command stat -c %u "/proc/$1/status")
  [ "$(awk '$1 == "Uid:" {print $2}' "/proc/$1/status")" != 0 ] || fail "$2 runs as root: cannot tell dumpable from /proc"
  [ "$owner" = 0 ] || fail "$2 (pid $1) is dumpable: /proc/$1/status is owned by uid $owner, not root"
}

# ---- IKE with a PSK, key-holder = process (the default); the SAKs from a keylog ----
topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" "keylog=$WORK/a.keylog"
write_config b auth=psk "psk-file=$WORK/psk"
start_daemon a
start_daemon b
wait_secured a
wait_secured b
ping_ok 5 || fail "ping through the PSK pair"
PSK=$(tr -d '\n' <"$WORK/psk")
mapfile -t procs < <(processes_of a)
kh=$(key_holder_of a) || fail "box A has no key holder (key-holder = process is the default)"
[ ${#procs[@]} -ge 2 ] || fail "box A: ${#procs[@]} linkcrypt processes, want linkcryptd and its key holder"
for p in "${procs[@]}"; do core_limit_zero "$p" "$(cat "/proc/$p/comm")"; done
not_dumpable "$kh" "the key holder"
pass "box A's ${#procs[@]} processes (${procs[*]}): RLIMIT_CORE 0; the key holder (uid $(awk '$1 == "Uid:" {print $2}' "/proc/$kh/status")) is not dumpable"
# The SAKs linkcryptd installed, from its keylog (the one file meant to hold them).
mapfile -t saks < <(sed -n 's/^MACSEC_SA .* sak=\([0-9a-f]\{32,\}\) .*/\1/p' "$WORK/a.keylog" | sort -u)
[ ${#saks[@]} -ge 2 ] || fail "the keylog names ${#saks[@]} SAKs, want the tx and rx SAK"
sak_args=(); i=0
for k in "${saks[@]}"; do sak_args+=("sak$i=$k"); i=$((i + 1)); done
for p in "${procs[@]}"; do
  name=$(cat "/proc/$p/comm")
  echo "box A $name (pid $p):"
  copies "$p" "psk=$(hex_of "$PSK")" "${sak_args[@]}"
  n=$(field psk copies); locked=$(field psk locked_dontdump)
  if [ "$p" = "$kh" ]; then
    [ "$n" -ge 1 ] || fail "the PSK is not in the key holder's memory: the scan is not looking where the key is"
    [ "$n" -eq "$locked" ] || fail "the key holder: $n copies of the PSK, only $locked in locked+dontdump pages"
    for j in $(seq 0 $((${#saks[@]} - 1))); do
      [ "$(field "sak$j" copies)" = 0 ] || fail "SAK $j is in the key holder's memory"
    done
    pass "key holder: the PSK $n times (all locked+dontdump), none of the ${#saks[@]} SAKs"
  else
    [ "$n" = 0 ] || fail "$name (pid $p): the PSK is $n times in its memory; only the key holder may hold it"
    pass "$name: no copy of the PSK"
  fi
done
for c in status sa stats peer keys; do
  ctl a "$c" >"$WORK/ctl-$c.txt" 2>&1 || true
  ctl a --json "$c" >"$WORK/ctl-$c.json" 2>&1 || true
done
for k in "$PSK" "${saks[@]}"; do no_key_in "$k" "$WORK"/*.err "$WORK"/*.out "$WORK"/ctl-*; done
pass "neither the PSK nor a SAK is in any log or linkcryptctl output (the keylog aside)"
stop_daemon a
stop_daemon b

# ---- IKE with the PSK in linkcryptd (key-holder = in-process): one locked copy ----
write_config a auth=psk "psk-file=$WORK/psk" key-holder=in-process
write_config b auth=psk "psk-file=$WORK/psk" key-holder=in-process
start_daemon a
start_daemon b
wait_secured a
wait_secured b
pid=$DPID_a
core_limit_zero "$pid" linkcryptd
echo "box A (pid $pid), IKE/PSK in process:"
copies "$pid" "psk=$(hex_of "$PSK")"
n=$(field psk copies); locked=$(field psk locked_dontdump)
[ "$n" -eq 1 ] || fail "$n copies of the PSK in box A's memory, expected exactly 1"
[ "$locked" -eq 1 ] || fail "the PSK's copy is not in an mlock'ed, MADV_DONTDUMP mapping"
pass "in process: the PSK exactly once, in locked, undumpable memory"
stop_daemon a
stop_daemon b

# ---- linkcrypt-pcap: hardened before it reads its SAK ----
# Run as nobody (so /proc tells dumpable apart), writing to a FIFO: it waits there, key read.
chmod 0711 "$WORK"
install -d -o nobody -m 0700 "$WORK/pcap"
(umask 077; openssl rand -hex 16 >"$WORK/pcap/sak"); chown nobody "$WORK/pcap/sak"
"$PY" -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))' \
  >"$WORK/pcap/in.pcap"
chown nobody "$WORK/pcap/in.pcap"
mkfifo "$WORK/pcap/out.pcap"; chown nobody "$WORK/pcap/out.pcap"
setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups "$LINKCRYPT_PCAP" validate --cipher gcm-aes-128 \
  --sak-file "$WORK/pcap/sak" --sci 020000000a000001 --an 0 "$WORK/pcap/in.pcap" "$WORK/pcap/out.pcap" \
  >"$WORK/pcap.out" 2>&1 &
pcap_pid=$!
PIDS+=("$pcap_pid")
# setpriv runs as root until it execs linkcrypt-pcap as nobody: wait for nobody's uid.
as_nobody() { [ "$(awk '$1 == "Uid:" {print $2}' "/proc/$pcap_pid/status" 2>/dev/null)" = "$(id -u nobody)" ]; }
wait_for 5 "linkcrypt-pcap runs as nobody" as_nobody
sleep 0.3  # it blocks opening the FIFO, after the hardening and the key
not_dumpable "$pcap_pid" linkcrypt-pcap
core_limit_zero "$pcap_pid" linkcrypt-pcap
timeout 10 cat "$WORK/pcap/out.pcap" >/dev/null
wait "$pcap_pid" || { cat "$WORK/pcap.out"; fail "linkcrypt-pcap on an empty capture"; }
no_key_in "$(cat "$WORK/pcap/sak")" "$WORK/pcap.out"
pass "linkcrypt-pcap (as nobody): not dumpable, RLIMIT_CORE 0, while it waits to write its output"

# ---- manual keys: known SAKs ----
SAK_A=$(openssl rand -hex 16); SAK_B=$(openssl rand -hex 16)
SALT_A=$(openssl rand -hex 12); SALT_B=$(openssl rand -hex 12)
keyfile() {  # PATH TX_SCI TX_SAK TX_SSCI TX_SALT RX_SCI RX_SAK RX_SSCI RX_SALT
  (umask 077; printf 'cipher-suite = gcm-aes-xpn-128\n[tx]\nsci = %s\nan = 0\nsak = %s\nssci = %s\nsalt = %s\n[rx]\nsci = %s\nan = 0\nsak = %s\nssci = %s\nsalt = %s\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" >"$1")
}
keyfile "$WORK/a.keys" 020000000a000001 "$SAK_A" 00000001 "$SALT_A" 020000000b000001 "$SAK_B" 00000002 "$SALT_B"
keyfile "$WORK/b.keys" 020000000b000001 "$SAK_B" 00000002 "$SALT_B" 020000000a000001 "$SAK_A" 00000001 "$SALT_A"
for tag in a b; do
  if [ $tag = a ]; then plain=pa; wire=wa; else plain=pb; wire=wb; fi
  (umask 077; printf 'plain-port = net_af_packet0,iface=%s\nwire-port = net_af_packet1,iface=%s\nidle-sleep-us = 100\ncontrol-socket = %s\nkey-file = %s\nstate-dir = %s\n' \
    "$plain" "$wire" "$WORK/$tag.sock" "$WORK/$tag.keys" "$WORK/state-$tag" >"$WORK/$tag.conf")
done
: >"$WORK/a.err"; : >"$WORK/b.err"
start_daemon a
start_daemon b
ping_ok 5 || fail "ping through the manually keyed pair"
pid=$DPID_a
echo "box A (pid $pid), manual keys:"
copies "$pid" "tx_sak=$SAK_A" "rx_sak=$SAK_B" "tx_sak_text=$(hex_of "$SAK_A")" "rx_sak_text=$(hex_of "$SAK_B")"
for k in tx_sak_text rx_sak_text; do
  n=$(field $k copies); locked=$(field $k locked_dontdump)
  [ "$n" -eq "$locked" ] || fail "$k: the key file's hex text of the SAK is still in memory ($n copies, $locked locked)"
done
pass "the key file's text is gone (hex text of the SAKs: $(field tx_sak_text copies) and $(field rx_sak_text copies) copies)"
for k in tx_sak rx_sak; do
  n=$(field $k copies); locked=$(field $k locked_dontdump)
  [ "$n" -ge 1 ] || fail "$k not found in box A's memory: the scan is not looking where the keys are"
  [ "$n" -eq "$locked" ] || fail "$k: $n copies, only $locked in locked, undumpable memory"
  pass "$k: $n copies (the SAK and its AES key schedule, whose first round key is the SAK), all locked+dontdump"
done
for c in status sa stats; do
  ctl a "$c" >"$WORK/ctl-m-$c.txt" 2>&1 || true
  ctl a --json "$c" >"$WORK/ctl-m-$c.json" 2>&1 || true
done
for k in "$SAK_A" "$SAK_B" "$SALT_A" "$SALT_B"; do
  no_key_in "$k" "$WORK"/*.err "$WORK"/*.out "$WORK"/ctl-m-*
done
pass "no SAK or salt in any log or linkcryptctl output"
