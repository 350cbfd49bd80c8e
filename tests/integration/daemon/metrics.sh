#!/usr/bin/env bash
# --metrics-listen (issue 12 §5): two IKE-keyed daemons serve /metrics on 127.0.0.1 inside their
# namespaces (box A from its config file, box B from the flag). Each scrape passes
# `promtool check metrics`; the 802.1AE counters, frames, PN and rotation metrics move with
# traffic and an operator rotation; the shipped alert rules pass `promtool check rules` and their
# own `promtool test rules` cases.
source "$(dirname "$0")/lib.sh"
: "${ALERT_RULES:?set ALERT_RULES to docs/prometheus/linkcrypt-alerts.yml}"
: "${ALERT_RULES_TEST:?set ALERT_RULES_TEST to docs/prometheus/linkcrypt-alerts.test.yml}"
command -v promtool >/dev/null || fail "promtool not installed (Debian package prometheus: scripts/install-deps)"
command -v curl >/dev/null || fail "curl not installed (scripts/install-deps)"

PORT=9101

# scrape TAG OUT: GET /metrics from box TAG's namespace into $WORK/OUT.prom; fails unless promtool
# has nothing to say about it.
scrape() {
  local tag=$1 out=$WORK/$2.prom ns
  [ "$tag" = a ] && ns=$NS_BA || ns=$NS_BB
  ip netns exec "$ns" curl -sS --fail --max-time 10 "http://127.0.0.1:$PORT/metrics" >"$out" ||
    fail "box $tag: GET http://127.0.0.1:$PORT/metrics failed"
  [ -s "$out" ] || fail "box $tag: empty /metrics"
  local lint; lint=$(promtool check metrics <"$out" 2>&1) || fail "box $tag: promtool check metrics failed: $lint"
  [ -z "$lint" ] || fail "box $tag: promtool check metrics reports: $lint"
}

# value FILE NAME [LABEL=VALUE ...]: the sum of the samples of NAME whose labels include every
# LABEL=VALUE given; prints "missing" when no sample matches.
value() {
  "$PY" - "$@" <<'PY'
import re, sys
path, name, want = sys.argv[1], sys.argv[2], dict(kv.split("=", 1) for kv in sys.argv[3:])
total, found = 0.0, False
for line in open(path):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)', line)
    if not m or m.group(1) != name:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    if all(labels.get(k) == v for k, v in want.items()):
        total += float(m.group(4)); found = True
print(f"{total:.17g}" if found else "missing")
PY
}

# more OLD NEW WHAT [AT_LEAST]: NEW must exceed OLD by at least AT_LEAST (default 1).
more() {
  "$PY" -c 'import sys; o, n, d = (float(x) for x in sys.argv[1:4]); sys.exit(0 if n - o >= d else 1)' \
    "$1" "$2" "${4:-1}" 2>/dev/null || fail "$3: $1 -> $2, expected an increase of at least ${4:-1}"
  pass "$3: $1 -> $2"
}
has() {  # FILE NAME [LABEL=VALUE ...]: prints the value, fails when missing
  local v; v=$(value "$@")
  [ "$v" != missing ] || fail "$(basename "$1"): no sample $2 ${*:3}"
  echo "$v"
}

# ---- the alert rules: syntax, then their unit tests (no daemon needed) ----
promtool check rules "$ALERT_RULES" >"$WORK/rules.out" 2>&1 || { cat "$WORK/rules.out"; fail "promtool check rules"; }
pass "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' "$WORK/rules.out")"
cp "$ALERT_RULES" "$WORK/linkcrypt-alerts.yml"   # the test file names it relative to itself
cp "$ALERT_RULES_TEST" "$WORK/linkcrypt-alerts.test.yml"
promtool test rules "$WORK/linkcrypt-alerts.test.yml" >"$WORK/rules-test.out" 2>&1 ||
  { cat "$WORK/rules-test.out"; fail "promtool test rules"; }
pass "promtool test rules: every alert fires and stays quiet as its test cases expect"

# ---- a keyed pair, metrics on loopback inside each box ----
topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" "metrics-listen=127.0.0.1:$PORT"
write_config b auth=psk "psk-file=$WORK/psk"
start_daemon a
start_daemon b --metrics-listen "127.0.0.1:$PORT"
wait_secured a
wait_secured b
grep -q "metrics on http://127.0.0.1:$PORT/metrics" "$WORK/a.err" || fail "box a did not log its metrics address"

scrape a a1
scrape b b1
pass "both scrapes pass promtool check metrics ($(grep -vc '^#' "$WORK/a1.prom") samples on box a)"
for tag in a b; do
  f=$WORK/${tag}1.prom
  [ "$(has "$f" linkcrypt_link_state state=secured)" = 1 ] || fail "box $tag: linkcrypt_link_state{state=\"secured\"} is not 1"
  [ "$(has "$f" linkcrypt_link_state state=down)" = 0 ] || fail "box $tag: linkcrypt_link_state{state=\"down\"} is not 0"
  [ "$(has "$f" linkcrypt_port_up port=wire)" = 1 ] || fail "box $tag: wire port not up"
  [ "$(has "$f" linkcrypt_ike_state_info)" = 1 ] || fail "box $tag: no IKE state"
  has "$f" linkcrypt_ike_established_total >/dev/null
  has "$f" macsec_in_pkts_bad_tag_total >/dev/null
  has "$f" macsec_in_pkts_bad_tag_by_reason_total reason=PnZero >/dev/null
  has "$f" linkcrypt_drops_total reason=TxNoSa >/dev/null
  has "$f" linkcrypt_drops_total reason=InPktsNotValid >/dev/null
  # A fresh XPN SA (the default suite) has used a handful of PNs out of 2^64.
  ratio=$(has "$f" linkcrypt_sa_pn_headroom_ratio direction=tx)
  "$PY" -c 'import sys; sys.exit(0 if 0.999 < float(sys.argv[1]) <= 1 else 1)' "$ratio" ||
    fail "box $tag: tx PN headroom ratio $ratio, expected just below 1"
  grep -q '^linkcrypt_sa_info{.*direction="tx".*suite="gcm-aes-xpn-256"' "$f" ||
    grep -q '^linkcrypt_sa_info{.*suite="gcm-aes-xpn-256".*direction="tx"' "$f" || fail "box $tag: no tx linkcrypt_sa_info with the suite"
done
pass "link secured, ports up, IKE state, SA info and PN headroom on both boxes"

# ---- counters move with traffic: 40 pings A -> B (and 40 replies) ----
ip netns exec "$NS_HA" ping -c 40 -i 0.05 -W 2 "$HOST_B" >"$WORK/ping.out" 2>&1 || { cat "$WORK/ping.out"; fail "ping through the link"; }
scrape a a2
scrape b b2
more "$(has "$WORK/a1.prom" macsec_out_pkts_encrypted_total)" "$(has "$WORK/a2.prom" macsec_out_pkts_encrypted_total)" \
  "box a macsec_out_pkts_encrypted_total" 40
more "$(has "$WORK/a1.prom" macsec_out_octets_encrypted_total)" "$(has "$WORK/a2.prom" macsec_out_octets_encrypted_total)" \
  "box a macsec_out_octets_encrypted_total" $((40 * 84))
more "$(has "$WORK/a1.prom" macsec_tx_sa_out_pkts_encrypted_total)" "$(has "$WORK/a2.prom" macsec_tx_sa_out_pkts_encrypted_total)" \
  "box a macsec_tx_sa_out_pkts_encrypted_total" 40
more "$(has "$WORK/b1.prom" macsec_in_pkts_ok_total)" "$(has "$WORK/b2.prom" macsec_in_pkts_ok_total)" \
  "box b macsec_in_pkts_ok_total" 40
more "$(has "$WORK/b1.prom" macsec_rx_sa_in_pkts_ok_total)" "$(has "$WORK/b2.prom" macsec_rx_sa_in_pkts_ok_total)" \
  "box b macsec_rx_sa_in_pkts_ok_total" 40
more "$(has "$WORK/a1.prom" macsec_in_pkts_ok_total)" "$(has "$WORK/a2.prom" macsec_in_pkts_ok_total)" \
  "box a macsec_in_pkts_ok_total (the replies)" 40
more "$(has "$WORK/a1.prom" linkcrypt_port_frames_total port=plain direction=rx)" \
  "$(has "$WORK/a2.prom" linkcrypt_port_frames_total port=plain direction=rx)" "box a plain rx frames" 40
more "$(has "$WORK/b1.prom" linkcrypt_sa_next_pn direction=rx)" "$(has "$WORK/b2.prom" linkcrypt_sa_next_pn direction=rx)" \
  "box b rx nextPN" 40

# ---- a tampered MACsec frame on B's wire: InPktsNotValid rises, and the drop reason with it ----
# A genuine frame from A, its PN moved 1000 ahead (past the replay check) and one octet of its
# secure data flipped: B's ICV check fails. Sent twice from A's side of the wire.
ip netns exec "$NS_HA" ping -i 0.2 -W 1 "$HOST_B" >/dev/null 2>&1 &
ping_pid=$!
PIDS+=("$ping_pid")
catch_macsec_frame "$NS_BB" wb "$MAC_A" 60 >"$WORK/genuine.hex"
kill "$ping_pid"; wait "$ping_pid" 2>/dev/null || true
ip netns exec "$NS_BA" "$PY" - "$(cat "$WORK/genuine.hex")" <<'PY' || fail "sending the tampered frame"
import sys
from scapy.all import Raw, sendp, conf
conf.verb = 0
t = bytearray.fromhex(sys.argv[1]); t[-20] ^= 0x01
pn = int.from_bytes(t[16:20], 'big') + 1000; t[16:20] = pn.to_bytes(4, 'big')
sendp([Raw(bytes(t))] * 2, iface="wa")
PY
sleep 0.5
scrape b b3
more "$(has "$WORK/b2.prom" macsec_in_pkts_not_valid_total)" "$(has "$WORK/b3.prom" macsec_in_pkts_not_valid_total)" \
  "box b macsec_in_pkts_not_valid_total" 1
more "$(has "$WORK/b2.prom" linkcrypt_drops_total reason=InPktsNotValid)" "$(has "$WORK/b3.prom" linkcrypt_drops_total reason=InPktsNotValid)" \
  "box b linkcrypt_drops_total{reason=\"InPktsNotValid\"}" 1

# ---- an operator rotation: rotations_total, the last one's duration and drops ----
[ "$(value "$WORK/a2.prom" linkcrypt_last_rotation_duration_seconds)" = missing ] ||
  fail "box a reports a last rotation before any happened"
rot_before=$(has "$WORK/a2.prom" linkcrypt_rotations_total)
ctl a rekey >/dev/null || fail "linkcryptctl rekey"
rotated() { scrape a a4 && [ "$(value "$WORK/a4.prom" linkcrypt_last_rotation_complete)" = 1 ]; }
wait_for 30 "box a's rotation complete in /metrics" rotated
more "$rot_before" "$(has "$WORK/a4.prom" linkcrypt_rotations_total)" "box a linkcrypt_rotations_total" 1
dur=$(has "$WORK/a4.prom" linkcrypt_last_rotation_duration_seconds)
dropped=$(has "$WORK/a4.prom" linkcrypt_last_rotation_frames_dropped)
grep -q '^linkcrypt_last_rotation_timestamp_seconds{reason="operator"}' "$WORK/a4.prom" ||
  fail "box a: last rotation not labelled reason=\"operator\""
"$PY" -c 'import sys; sys.exit(0 if 0 <= float(sys.argv[1]) < 30 else 1)' "$dur" || fail "rotation duration $dur s"
pass "box a rotation: duration ${dur} s, ${dropped} frames dropped, reason operator"
# METRICS_SAMPLE=FILE keeps this scrape (docs/metrics.md quotes one).
[ -z "${METRICS_SAMPLE:-}" ] || cp "$WORK/a4.prom" "$METRICS_SAMPLE"

# ---- off by default: box B restarted without --metrics-listen listens on no TCP port ----
[ "$(ip netns exec "$NS_BA" ss -Hltn | awk '{print $4}')" = "127.0.0.1:$PORT" ] ||
  fail "box a listens on TCP [$(ip netns exec "$NS_BA" ss -Hltn | awk '{print $4}' | tr '\n' ' ')], expected 127.0.0.1:$PORT only"
stop_daemon b
start_daemon b   # returns once it logged "running": a metrics listener would be open by then
listeners=$(ip netns exec "$NS_BB" ss -Hltn | awk '{print $4}' | tr '\n' ' ')
[ -z "$listeners" ] || fail "box b without --metrics-listen listens on TCP: $listeners"
pass "box a listens on 127.0.0.1:$PORT only; box b without the option on no TCP port"

echo "PASS: metrics"
