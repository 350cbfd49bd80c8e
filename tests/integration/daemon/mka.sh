#!/usr/bin/env bash
# Daemon integration (issue 14 §4): two linkcryptd keyed by MKA (keying = mka, pre-shared CAK/CKN).
# One pair run, several checks: IPv4, IPv6 and ARP across; SAK rotation every 2 s for 30 s under a
# numbered UDP stream with 0 lost; every MKPDU on the wire dissected by tshark as EAPOL-MKA, its CKN,
# MI, MN, key-server flag and key numbers as the daemons logged them; the key server killed (-9):
# the other side fails closed and becomes key server, traffic resumes after the restart; then a
# wrong CAK, a CKN mismatch and a cipher mismatch: typed failure with a hint, no traffic.
source "$(dirname "$0")/lib.sh"
MKPDU_FIELDS=${MKPDU_FIELDS:-$(cd "$(dirname "$0")/../../interop/mka" && pwd)/mkpdu_fields.sh}
CKN=0123456789abcdef0123456789abcdef

# write_mka_config TAG [KEY=VALUE ...]: box TAG's MKA config (ports as write_config, no IKE identities).
write_mka_config() {
  local tag=$1; shift
  local plain wire
  if [ "$tag" = a ]; then plain=pa; wire=wa; else plain=pb; wire=wb; fi
  (umask 077; {
    echo "plain-port = net_af_packet0,iface=$plain"
    echo "wire-port = net_af_packet1,iface=$wire"
    echo "idle-sleep-us = 100"
    echo "control-socket = $WORK/$tag.sock"
    echo "log-level = debug"
    echo "keying = mka"
    for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
  } >"$WORK/$tag.conf")
}
make_cak() { (umask 077; openssl rand -hex "${2:-16}" >"$WORK/$1"); }
mka_field() { q "$1" mka "$2"; }

topology_up
make_cak cak
make_cak cak_other
"$LINKCRYPTD" --check-config --plain-port x --wire-port y --keying mka --mka-ckn zz --mka-cak-file "$WORK/cak" \
  >"$WORK/bad.out" 2>&1 && fail "a CKN that is not hex was accepted"
grep -q "mka-ckn must be 2 to 64 hex digits" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "bad CKN: no clear line"; }
pass "bad CKN refused: $(tail -1 "$WORK/bad.out")"

# --- 1. a pair: box A key server (priority 1), SAK every 2 s ---------------------------------
write_mka_config a "mka-ckn=$CKN" "mka-cak-file=$WORK/cak" mka-key-server-priority=1 mka-rekey-interval-s=2
write_mka_config b "mka-ckn=$CKN" "mka-cak-file=$WORK/cak" mka-key-server-priority=2
start_capture wire "$NS_BA" wa
start_daemon a
start_daemon b
wait_secured a
wait_secured b
[ "$(mka_field a 'r["key_server"]')" = true ] || fail "box A (priority 1) is not the key server"
[ "$(mka_field b 'r["peers"][0]["live"] and r["peers"][0]["key_server"]')" = true ] || fail "box B does not see A as live key server"
pass "box A is key server; B sees it live: $(mka_field b 'r["peers"]')"
ctl a mka >"$WORK/mka_a.txt" || fail "linkcryptctl mka"
cat "$WORK/mka_a.txt"
if grep -qi "$(cat "$WORK/cak")" "$WORK"/*.err "$WORK"/*.out "$WORK/mka_a.txt"; then fail "the CAK appears in a log or the CLI"; fi

ping_ok 3 || { cat "$WORK/ping.out"; fail "IPv4 ping across"; }
ip netns exec "$NS_HA" ping -6 -c 3 -i 0.2 -W 2 fd77::2 >"$WORK/ping6.out" 2>&1 || { cat "$WORK/ping6.out"; fail "IPv6 ping across"; }
# ARP: A's neighbour entry for B is flushed, so the next ping must resolve B's MAC across the link.
ip -n "$NS_HA" neigh flush dev eth0
ping_ok 1 || { cat "$WORK/ping.out"; fail "ping after the ARP flush"; }
mac_b=$(ip -n "$NS_HB" -br link show eth0 | awk '{print $3}')
ip -n "$NS_HA" neigh show "$HOST_B" dev eth0 | grep -qi "lladdr $mac_b" || { ip -n "$NS_HA" neigh; fail "ARP across: B's MAC $mac_b not learnt"; }
pass "IPv4 ping, IPv6 ping and ARP cross the MKA-keyed link"

rot_before=$(q a status 'r["rotations"]')
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --ready "$WORK/recv.ready" \
    --report "$WORK/seq.json" --idle-s 10 --deadline-s 90 >"$WORK/seq.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --count 30000 --rate 1000 >"$WORK/send.out"
wait "$recv_pid" && recv_rc=0 || recv_rc=$?
cat "$WORK/seq.out"
[ "$recv_rc" -eq 0 ] || fail "the stream lost, duplicated or reordered datagrams during SAK rotation: $(cat "$WORK/seq.out")"
rot_a=$(( $(q a status 'r["rotations"]') - rot_before ))
[ "$rot_a" -ge 12 ] || fail "box A switched to only $rot_a new SAKs in 30 s (want >= 12 at one per 2 s)"
pass "every datagram arrived once and in order across $rot_a SAK rotations (box B: $(q b status 'r["rotations"]') in all)"
stop_capture wire

# Every MKPDU of the run, dissected, against what the daemons logged they sent.
"$MKPDU_FIELDS" "$WORK/wire.pcap" >"$WORK/dissected.txt" || fail "tshark: MKPDUs malformed or with expert warnings"
"$PY" - "$WORK/dissected.txt" "$WORK/a.err" "$WORK/b.err" <<'PYEOF' || fail "dissected MKPDUs differ from the daemons' logs"
import re, sys
logged = {}
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        m = re.search(r"MKPDU sent ckn=(\w+) mi=(\w+) mn=(\d+) key-server=(\d)(.*)", line)
        if m:
            dkn = re.search(r"distributed-kn=(\d+)", m.group(5))
            lkn = re.search(r"latest-kn=(\d+)", m.group(5))
            logged[(m.group(2), int(m.group(3)))] = (m.group(1), m.group(4), dkn.group(1) if dkn else "-",
                                                     lkn.group(1) if lkn else "-")
seen = 0
for line in open(sys.argv[1]):
    mi, mn, ks, ckn, dkn, lkn = line.split()
    want = logged.get((mi, int(mn)))
    if want is None:
        sys.exit(f"captured MKPDU mi={mi} mn={mn} was not logged as sent")
    got = (ckn, ks, dkn, lkn)
    if want != got:
        sys.exit(f"mi={mi} mn={mn}: tshark shows {got}, the daemon logged {want}")
    seen += 1
if seen < 20:
    sys.exit(f"only {seen} MKPDUs captured")
print(f"{seen} MKPDUs captured, each dissected as EAPOL-MKA and equal to the sender's log line ({len(logged)} logged)")
PYEOF
pass "tshark 4.0: every MKPDU on the wire is EAPOL-MKA, no malformed/expert error, fields as logged"
for t in a b; do
  [ "$(stat "$t" EapolPunted)" -gt 0 ] || fail "box $t: EapolPunted is 0"
done
pass "EAPOL punted: A $(stat a EapolPunted), B $(stat b EapolPunted); kernel ring drops A $(stat a EapolRxMissed)"

# --- 2. kill -9 the key server --------------------------------------------------------------
kill -9 "$DPID_a"; wait "$DPID_a" 2>/dev/null || true
is_not_secured() { [ "$(q b status 'r["state"]')" != secured ]; }
wait_for 12 "box B fails closed after the MKA life time" is_not_secured
[ "$(q b status 'r["failure"]')" = PeerLost ] || fail "box B: failure $(q b status 'r["failure"]'), want PeerLost"
[ "$(mka_field b 'r["key_server"]')" = true ] || fail "box B did not become key server with A gone"
[ "$(mka_field b 'r["tx_an"]')" = null ] || fail "box B still transmits"
ping_fails || fail "traffic crossed with the key server dead"
pass "key server killed: B failed closed (PeerLost), no traffic, B is now key server (802.1X-2020 9.5: the best remaining)"
start_daemon a
wait_secured a 20
wait_secured b 20
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after A's restart"; }
pass "A restarted: link secured again, A key server by priority ($(mka_field a 'r["key_server"]')), traffic resumes"
stop_daemon a
stop_daemon b

# --- 3. typed failures: wrong CAK, CKN mismatch, cipher mismatch ----------------------------
failure_case() {  # NAME WANT_ON_TAG WANT_FAILURE CONFIG_B...
  local name=$1 tag=$2 want=$3; shift 3
  write_mka_config a "mka-ckn=$CKN" "mka-cak-file=$WORK/cak" mka-key-server-priority=1 ${A_EXTRA:-}
  write_mka_config b "$@"
  start_daemon a
  start_daemon b
  has_failure() { [ "$(q "$tag" status 'r["failure"]')" = "$want" ]; }
  wait_for 10 "$name: box $tag reports $want" has_failure
  local hint; hint=$(q "$tag" status 'r["failure_hint"]')
  [ -n "$hint" ] && [ "$hint" != null ] || fail "$name: no hint"
  [ "$(q a status 'r["state"]')" != secured ] && [ "$(q b status 'r["state"]')" != secured ] || fail "$name: a box is secured"
  ping_fails || fail "$name: traffic crossed"
  ctl "$tag" status | head -1
  pass "$name: box $tag status failure $want, hint: $hint; no traffic"
  stop_daemon a
  stop_daemon b
}
failure_case "wrong CAK" a CakMismatch "mka-ckn=$CKN" "mka-cak-file=$WORK/cak_other"
grep -q "MKPDU ICV mismatch for CKN $CKN" "$WORK/a.err" || fail "wrong CAK: no 'MKPDU ICV mismatch for CKN' line"
failure_case "CKN mismatch" a CknMismatch "mka-ckn=${CKN}01" "mka-cak-file=$WORK/cak"
A_EXTRA=mka-cipher-suite=gcm-aes-256 failure_case "cipher mismatch" b CipherMismatch "mka-ckn=$CKN" "mka-cak-file=$WORK/cak" mka-key-server-priority=2
