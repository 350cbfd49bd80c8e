#!/usr/bin/env bash
# Issue 12 §2 and §7: every control-socket response of a real daemon pair validates against docs/schema/ (python3-jsonschema): each command from `help`, with manual keys and with IKE (before and after a failure, after a rotation, over UDP), and the error answers; 64-bit values have exact decimal twins; `peer` shows a failure the link recovered from as history (time, current false, no hint).
source "$(dirname "$0")/lib.sh"
: "${SCHEMA_DIR:?set SCHEMA_DIR to docs/schema}"
"$PY" -c 'import jsonschema' || fail "python3-jsonschema is missing (scripts/install-deps)"

topology_up
SEEN=$WORK/seen   # "<cmd> <ok|code>" per response validated

# check TAG EXPECT REQUEST [EXPECT REQUEST ...]: validates the responses; prints their results, one a line.
check() {
  local tag=$1; shift
  "$PY" "$TOOLS/schema_check.py" "$SCHEMA_DIR" "$WORK/$tag.sock" "$SEEN" "$@" 2>"$WORK/check.err" ||
    { cat "$WORK/check.err" >&2; echo "FAIL: box $tag: a response does not match docs/schema/ (above)" >&2; exit 1; }
  sed 's/^/  /' "$WORK/check.err" >&2
}
req() { local args=${2:-}; [ -n "$args" ] || args='{}'; printf '{"v":1,"cmd":"%s","args":%s}' "$1" "$args"; }
# jget JSON PYEXPR: PYEXPR with r = JSON (exact integers).
jget() { "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"; }

# check_exact SA-RESULT LABEL: pn_headroom_str and pn_used_percent agree with pn_headroom (Python ints: exact).
check_exact() {
  "$PY" - "$1" <<'PY' || fail "$2: pn_headroom_str / pn_used_percent disagree with pn_headroom (above)"
import json, sys
rows = json.loads(sys.argv[1])["sas"]
err = []
for s in rows:
    space = 2**64 - 1 if "xpn" in s["suite"] else 2**32 - 1
    if str(s["pn_headroom"]) != s["pn_headroom_str"]:
        err.append(f"pn_headroom {s['pn_headroom']} but pn_headroom_str {s['pn_headroom_str']}")
    if int(s["pn_headroom_str"]) != space - (s["next_pn"] - 1):
        err.append(f"pn_headroom_str {s['pn_headroom_str']} != {space} - (next_pn - 1)")
    want = 100.0 * (space - int(s["pn_headroom_str"])) / space
    if abs(s["pn_used_percent"] - want) > 1e-9 * max(1.0, want):
        err.append(f"pn_used_percent {s['pn_used_percent']}, want {want}")
    print(f"  {s['direction']} AN {s['an']} {s['suite']}: pn_headroom {s['pn_headroom']} = \"{s['pn_headroom_str']}\", "
          f"{s['pn_used_percent']:.3g}% used", file=sys.stderr)
for e in err:
    print(e)
sys.exit(1 if err else 0)
PY
}

# ---- manual keys (XPN, box A's transmit SA 1000 PNs before the end of 2^64) ----
START=18446744073709550616
SCI_A=020000000a000001
SCI_B=020000000b000001
write_manual() {  # TAG
  local tag=$1 plain wire tx rx txx rxx extra_tx="" extra_rx=""
  [ -s "$WORK/sak_a" ] || { openssl rand -hex 16 >"$WORK/sak_a"; openssl rand -hex 16 >"$WORK/sak_b"; openssl rand -hex 12 >"$WORK/salt"; }
  if [ "$tag" = a ]; then plain=pa; wire=wa; tx=$SCI_A; rx=$SCI_B; txx=a; rxx=b; extra_tx="next-pn = $START"
  else plain=pb; wire=wb; tx=$SCI_B; rx=$SCI_A; txx=b; rxx=a; extra_rx="lowest-pn = $START"; fi
  local ssci_tx ssci_rx; [ "$tag" = a ] && { ssci_tx=00000001; ssci_rx=00000002; } || { ssci_tx=00000002; ssci_rx=00000001; }
  (umask 077
   printf 'cipher-suite = gcm-aes-xpn-128\n[tx]\nsci = %s\nan = 0\nsak = %s\nssci = %s\nsalt = %s\n%s\n[rx]\nsci = %s\nan = 0\nsak = %s\nssci = %s\nsalt = %s\n%s\n' \
     "$tx" "$(cat "$WORK/sak_$txx")" "$ssci_tx" "$(cat "$WORK/salt")" "$extra_tx" \
     "$rx" "$(cat "$WORK/sak_$rxx")" "$ssci_rx" "$(cat "$WORK/salt")" "$extra_rx" >"$WORK/$tag.keys"
   printf 'plain-port = net_af_packet0,iface=%s\nwire-port = net_af_packet1,iface=%s\nidle-sleep-us = 100\ncontrol-socket = %s\nkey-file = %s\n' \
     "$plain" "$wire" "$WORK/$tag.sock" "$WORK/$tag.keys" >"$WORK/$tag.conf")
}
write_manual a; write_manual b
start_daemon a; start_daemon b
ip netns exec "$NS_HA" ping -c 20 -i 0.05 -W 2 "$HOST_B" >/dev/null 2>&1 || fail "manual keys: ping through the link"
out=$(check a ok "$(req status)" ok "$(req sa)" ok "$(req stats)" ok "$(req rotations)" ok "$(req help)" \
      unavailable "$(req peer)" unavailable "$(req rekey)")
pass "manual keys: status, sa, stats, rotations, help and the peer/rekey refusals match their schemas"
sa=$(sed -n 2p <<<"$out")
check_exact "$sa" manual
check a malformed 'not json' malformed '{"v":1,"cmd":"status","extra":1}' unsupported_version '{"v":2,"cmd":"status"}' \
  unknown_command "$(req nosuch)" bad_argument "$(req rotations '{"last":-1}')" >/dev/null
pass "error answers (malformed, unsupported_version, unknown_command, bad_argument) match error.schema.json"
stop_daemon a; stop_daemon b

# ---- IKE: a wrong PSK first (the failure is current), then the right one (it is history) ----
make_psk psk
make_psk wrong
write_config a auth=psk "psk-file=$WORK/psk" reconnect-max-ms=2000
write_config b auth=psk "psk-file=$WORK/wrong"
: >"$WORK/a.err"; : >"$WORK/b.err"
start_daemon a; start_daemon b
failed() { [ "$(q a peer 'r["last_failure"]["reason"]')" = AuthenticationFailed ]; }
wait_for 30 "box A reports AuthenticationFailed" failed
t_fail=$(date +%s)
peer=$(check a ok "$(req peer)" ok "$(req status)" ok "$(req sa)" ok "$(req stats)" | sed -n 1p)
[ "$(jget "$peer" 'r["last_failure"]["current"]')" = true ] || fail "a failure with the link down is not current: $peer"
[ "$(jget "$peer" 'r["last_failure"]["hint"] is not None')" = true ] || fail "a current failure has no hint: $peer"
pass "failing: last_failure $(jget "$peer" 'r["last_failure"]["reason"]'), current, with its hint; responses match the schemas"
stop_daemon b
write_config b auth=psk "psk-file=$WORK/psk"
start_daemon b
t_fixed=$(date +%s)
wait_secured a 40; wait_secured b 20
peer=$(check a ok "$(req peer)")
# A retried (and failed) until B came back: the last failure is one of those attempts, or a
# retransmission timeout while B restarted.
"$PY" - "$peer" "$t_fail" "$t_fixed" <<'PY' || fail "after recovery, peer still shows the failure as current (above)"
import json, sys
p, t_fail, t_fixed = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
f = p["last_failure"]
err = []
if f is None or f["reason"] not in ("AuthenticationFailed", "PeerUnreachable"):
    err.append(f"the failure's history is gone: {f}")
else:
    if f["current"] is not False: err.append(f"current is {f['current']}")
    if f["hint"] is not None: err.append(f"hint still shown: {f['hint']}")
    if not t_fail - 60 <= f["when"] <= t_fixed + 1: err.append(f"when {f['when']}, failures seen from {t_fail} to {t_fixed}")
if p["ike_state"] != "established": err.append(f"ike_state {p['ike_state']}")
for e in err: print(e)
sys.exit(1 if err else 0)
PY
human=$(ctl a peer)
echo "$human" | sed "s/^/  A> /"
grep -qE "same PSK file|check the cable" <<<"$human" && { echo "$human"; fail "linkcryptctl peer still prints the failure's hint after recovery"; }
pass "recovered: last_failure $(jget "$peer" 'r["last_failure"]["reason"]') kept as history (when $(jget "$peer" 'r["last_failure"]["when"]'), current false, hint null); linkcryptctl peer prints no hint"

# Every command with the link up, after an operator rotation (rotations has a record, rx SAs retire).
rot=$(q a status 'r["rotations"]')
check a ok "$(req rekey)" >/dev/null
wait_for 20 "the operator rotation completed" test "$(q a status 'r["rotations"]')" -gt "$rot"
ping_ok 5 || fail "ping after the rotation"
for t in a b; do
  check "$t" ok "$(req status)" ok "$(req sa)" ok "$(req stats)" ok "$(req peer)" ok "$(req rotations)" \
    ok "$(req rotations '{"last":1}')" ok "$(req help)" ok "$(req keys)" >"$WORK/$t.results"
done
[ "$(jget "$(sed -n 5p "$WORK/a.results")" 'len(r["rotations"]) >= 1')" = true ] || fail "rotations is empty after a rekey"
sa=$(sed -n 2p "$WORK/a.results")
check_exact "$sa" IKE
# What jq 1.6 (Debian 12) makes of an XPN headroom (above 2^53), and that the string twin is exact there.
exact=$(jget "$sa" '[s for s in r["sas"] if s["direction"] == "tx"][0]["pn_headroom"]')
jq_num=$(jq -r '[.sas[] | select(.direction == "tx")][0].pn_headroom' <<<"$sa")
jq_str=$(jq -r '[.sas[] | select(.direction == "tx")][0].pn_headroom_str' <<<"$sa")
[ "$jq_str" = "$exact" ] || fail "jq reads pn_headroom_str as $jq_str, the value is $exact"
pass "$(jq --version): tx pn_headroom $exact reads as $jq_num, pn_headroom_str as $jq_str (exact)"
pass "IKE, secured after a rotation: every command on both boxes matches its schema"

# MKA keying (issue 14): `mka`, and status/sa/stats as keying = mka fills them; `peer` is refused.
stop_daemon a; stop_daemon b
(umask 077; openssl rand -hex 16 >"$WORK/cak")
for t in a b; do
  [ "$t" = a ] && { plain=pa; wire=wa; prio=1; } || { plain=pb; wire=wb; prio=2; }
  (umask 077; printf 'plain-port = net_af_packet0,iface=%s\nwire-port = net_af_packet1,iface=%s\nidle-sleep-us = 100\ncontrol-socket = %s\nkeying = mka\nmka-ckn = 00112233\nmka-cak-file = %s\nmka-key-server-priority = %s\n' \
     "$plain" "$wire" "$WORK/$t.sock" "$WORK/cak" "$prio" >"$WORK/$t.conf")
done
: >"$WORK/a.err"; : >"$WORK/b.err"
start_daemon a; start_daemon b
wait_secured a 20; wait_secured b 20
for t in a b; do
  check "$t" ok "$(req mka)" ok "$(req status)" ok "$(req sa)" ok "$(req stats)" unavailable "$(req peer)" >/dev/null
done
check a ok "$(req rekey)" >/dev/null
pass "MKA: mka, status, sa, stats, rekey (key server) and the peer refusal match their schemas"

# Every command `help` lists was validated with an ok answer at least once.
for c in $(q a help '" ".join(x["command"] for x in r["commands"])'); do
  grep -q "^$c ok$" "$SEEN" || fail "command '$c' was never validated with an ok answer"
done
pass "validated: $(sort "$SEEN" | uniq -c | awk '{printf "%s %s x%s, ", $2, $3, $1}')"

# IKE over UDP (a management link): status says udp, stats carries the UDP transport's counters.
stop_daemon a; stop_daemon b
mgmt_up
write_config a auth=psk "psk-file=$WORK/psk" transport=udp "udp-local=$MGMT_A" "udp-peer=$MGMT_B"
write_config b auth=psk "psk-file=$WORK/psk" transport=udp "udp-local=$MGMT_B" "udp-peer=$MGMT_A"
: >"$WORK/a.err"; : >"$WORK/b.err"
start_daemon a; start_daemon b
wait_secured a 30; wait_secured b 20
st=$(check a ok "$(req status)" ok "$(req sa)" ok "$(req stats)" ok "$(req peer)" | sed -n 1p)
[ "$(jget "$st" 'r["transport"]')" = udp ] || fail "status.transport over UDP is $(jget "$st" 'r["transport"]')"
pass "IKE over UDP: status (transport udp), sa, stats and peer match their schemas"
