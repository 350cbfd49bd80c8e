#!/usr/bin/env bash
# Issue 11 §5: kill -9 box A under traffic five times and restart it with the same key file: the
# wire capture never shows one (SCI, AN, key, PN) twice; a lost or corrupt PN state is refused.
source "$(dirname "$0")/lib.sh"

topology_up
make_keys
STATE=$WORK/state     # --state-dir (the daemon creates it, 0700)
BLOCK=4096            # small, so that the run extends its reservation many times
start_a() {
  start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys" --state-dir "$STATE" --pn-reserve-block "$BLOCK"
}
start_a
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys" --state-dir "$WORK/state-b"

# What box A sends arrives on wb.
start_capture wb "$NS_BB" wb "ether proto 0x88e5"
# Traffic the whole time: a ping flood from host A to host B (every frame crosses box A's TX SA).
ip netns exec "$NS_HA" ping -f -w 120 -W 1 10.77.0.2 >/dev/null 2>&1 &
PIDS+=("$!")

for round in 1 2 3 4 5; do
  sleep 1.5
  grep -o "sending from PN [0-9]*" "$WORK/a.err" | head -n1 >>"$WORK/firsts"
  kill -9 "$DPID_a"
  wait "$DPID_a" 2>/dev/null || true
  cp "$WORK/a.err" "$WORK/a.err.$round"
  start_a
  grep -q "resuming above PN" "$WORK/a.err" || { cat "$WORK/a.err"; fail "restart $round did not resume above a mark"; }
done
sleep 1.5
grep -o "sending from PN [0-9]*" "$WORK/a.err" | head -n1 >>"$WORK/firsts"
echo "first PN of each of the 6 runs:"; sed 's/^/   /' "$WORK/firsts"
unreserved=$(counter a "secy" TxPnUnreserved)
stop_capture wb

# (SCI, AN, PN) of every frame box A sent (the key is the same in every run: one key file).
# Explicit SCI (SC=1, 9.5): TCI/AN at 14, SL 15, PN 16..19, SCI 20..27.
"$PY" - "$WORK/wb.pcap" "$SCI_A" >"$WORK/pn.report" <<'PYEOF' || { cat "$WORK/pn.report"; fail "a (SCI, AN, key, PN) appeared twice on the wire"; }
import collections, struct, sys
data = open(sys.argv[1], 'rb').read()
want = bytes.fromhex(sys.argv[2])
seen = collections.Counter()
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    f = data[off + 16: off + 16 + incl]
    off += 16 + incl
    if len(f) < 28 or f[12:14] != b'\x88\xe5' or not f[14] & 0x20 or f[20:28] != want:
        continue
    seen[(f[20:28].hex(), f[14] & 3, struct.unpack_from('>I', f, 16)[0])] += 1
dups = {k: v for k, v in seen.items() if v > 1}
print(f"frames from SCI {sys.argv[2]}: {sum(seen.values())}, distinct (SCI, AN, PN): {len(seen)}, repeated: {len(dups)}")
if seen:
    print(f"PN range {min(k[2] for k in seen)} .. {max(k[2] for k in seen)}")
for k, v in list(dups.items())[:10]:
    print(f"   {k} seen {v} times")
sys.exit(1 if dups or len(seen) < 500 else 0)
PYEOF
cat "$WORK/pn.report"
pass "6 runs, 5 kill -9: no (SCI, AN, key, PN) twice on the wire (TxPnUnreserved in the last run: $unreserved)"

# The state is what made that true: take it away and the key is refused (exit 2, a hint to rotate).
refuse() {  # WHAT EXPECTED-TEXT
  set +e
  ip netns exec "$NS_BA" "$LINKCRYPTD" --plain-port net_af_packet0,iface=pa --wire-port net_af_packet1,iface=wa \
      --key-file "$WORK/a.keys" --state-dir "$STATE" -- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-r" \
      >"$WORK/refuse.out" 2>"$WORK/refuse.err"
  local rc=$?
  set -e
  [ "$rc" -eq 2 ] || { cat "$WORK/refuse.err"; fail "$1: exit $rc, expected 2"; }
  grep -q "$2" "$WORK/refuse.err" || { cat "$WORK/refuse.err"; fail "$1: no '$2'"; }
  grep -q "rotate the key" "$WORK/refuse.err" || { cat "$WORK/refuse.err"; fail "$1: no hint to rotate the key"; }
  pass "$1: refused: $(tail -n1 "$WORK/refuse.err")"
}
kill -TERM "$DPID_a"; wait "$DPID_a" 2>/dev/null || true
statefile=$(ls "$STATE"/*.pn)
printf 'garbage' >"$statefile"
refuse "corrupt PN state file" "is corrupt"
rm -f "$statefile"
refuse "missing PN state file of a used key" "is missing, but transmit key"

# No key in any log.
for f in "$WORK"/*.err* "$WORK"/*.out "$WORK"/refuse.*; do
  for k in "$SAK_A" "$SAK_B" "$SALT_A" "$SALT_B"; do
    if grep -qi "$k" "$f"; then fail "key material in $f"; fi
  done
done
pass "no SAK or salt in any log"
