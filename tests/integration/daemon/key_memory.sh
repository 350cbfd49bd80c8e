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

# ---- IKE with a PSK ----
psk_pair_up
ping_ok 5 || fail "ping through the PSK pair"
PSK=$(tr -d '\n' <"$WORK/psk")
pid=$DPID_a
grep -q "Max core file size *0 *0" "/proc/$pid/limits" || { grep core "/proc/$pid/limits"; fail "RLIMIT_CORE is not 0"; }
pass "RLIMIT_CORE 0 in box A"
echo "box A (pid $pid), IKE/PSK:"
copies "$pid" "psk=$(hex_of "$PSK")"
n=$(field psk copies); locked=$(field psk locked_dontdump)
[ "$n" -eq 1 ] || fail "$n copies of the PSK in box A's memory, expected exactly 1"
[ "$locked" -eq 1 ] || fail "the PSK's copy is not in an mlock'ed, MADV_DONTDUMP mapping"
pass "the PSK: exactly 1 copy, in locked, undumpable memory"
for c in status sa stats peer; do
  ctl a "$c" >"$WORK/ctl-$c.txt" 2>&1 || true
  ctl a --json "$c" >"$WORK/ctl-$c.json" 2>&1 || true
done
no_key_in "$PSK" "$WORK"/*.err "$WORK"/*.out "$WORK"/ctl-*
pass "the PSK is in no log and no linkcryptctl output"
stop_daemon a
stop_daemon b

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
