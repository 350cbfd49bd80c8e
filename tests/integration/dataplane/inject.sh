#!/usr/bin/env bash
# Integration (4): tampered, replayed, unknown-SCI/AN, malformed and non-MACsec frames injected on the wire are dropped and counted under the right 802.1AE counter.
source "$(dirname "$0")/lib.sh"

topology_up
# Only the ping below may send genuine frames: no IPv6 chatter (router solicitations, MLD) from
# host A and no ARP/NUD probes between the hosts, which would land in box B's InPktsOK while
# the injected frames are counted.
ip netns exec "$NS_HA" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1
ip -n "$NS_HA" neigh replace 10.77.0.2 lladdr "$MAC_B" dev eth0 nud permanent
ip -n "$NS_HB" neigh replace 10.77.0.1 lladdr "$MAC_A" dev eth0 nud permanent
# A 32-bit PN suite: there a replayed frame is InPktsLate. Under XPN the same replay reconstructs
# to a PN above the window (802.1AE 10.6.2 PN recovery) and fails the ICV: InPktsNotValid.
make_keys gcm-aes-128
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys"
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys"

# 1. Catch one genuine frame box A sent to box B (raw AF_PACKET socket on wb's receive side).
ip netns exec "$NS_HA" ping -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1 &
ping_pid=$!
PIDS+=("$ping_pid")
catch_macsec_frame "$NS_BB" wb "$MAC_A" >"$WORK/genuine.hex"
kill "$ping_pid"; wait "$ping_pid" 2>/dev/null || true
genuine_pn=$((16#$(cut -c33-40 "$WORK/genuine.hex")))
pass "captured a genuine protected frame from box A (PN $genuine_pn)"
# Box B must have validated it before the replays, or the first replay would be accepted.
for _ in $(seq 1 50); do
  next_pn=$(dump_counters b | awk -v s="rx-sa sci=$SCI_A" 'index($0, s) == 1 {split($4, a, "="); print a[2]; exit}')
  [ "${next_pn:-0}" -gt "$genuine_pn" ] && break
  sleep 0.1
done
[ "${next_pn:-0}" -gt "$genuine_pn" ] || fail "box B never validated the genuine frame"
# An echo request host A sent just before the kill may still be on its way: wait until box B's
# InPktsOK has stood still for 0.5 s, so the deltas below count only the injected frames.
prev=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
for _ in $(seq 1 20); do
  sleep 0.5
  now=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
  [ "$now" = "$prev" ] && break
  prev=$now
done

base() { counter b "$1" "$2"; }
declare -A before
keys=("secy|InPktsNoTag" "secy|InPktsBadTag" "secy|InPktsNoSCI" "rx-sc sci=$SCI_A|InPktsNotUsingSA"
      "rx-sa sci=$SCI_A|InPktsLate" "rx-sa sci=$SCI_A|InPktsNotValid" "rx-sa sci=$SCI_A|InPktsOK"
      "dataplane|KxPunted" "dataplane|KxJunk" "dataplane|PlainTx")
dump_counters b >"$WORK/before.txt"
value() {  # file scope name
  awk -v s="$2" -v n="$3" 'index($0, s) == 1 && $(NF-1) == n {print $NF; exit}' "$1"
}
for k in "${keys[@]}"; do before[$k]=$(value "$WORK/before.txt" "${k%%|*}" "${k##*|}"); done

# 2. Inject the variants from box A's side of the wire (wa): they arrive at box B's wire port.
ip netns exec "$NS_BA" "$PY" - "$(cat "$WORK/genuine.hex")" "$MAC_A" "$MAC_B" <<'PYEOF'
import socket, sys
g = bytearray.fromhex(sys.argv[1])
a = bytes.fromhex(sys.argv[2].replace(':', '')); b = bytes.fromhex(sys.argv[3].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('wa', 0))
def send(f, n=1):
    for _ in range(n): s.send(bytes(f))
send(g, 3)                                      # replayed x3            -> InPktsLate
t = bytearray(g)                                # tampered: future PN, flipped data byte
pn = int.from_bytes(t[16:20], 'big') + 1000
t[16:20] = pn.to_bytes(4, 'big'); t[40] ^= 0x01
send(t, 2)                                      # x2                     -> InPktsNotValid
u = bytearray(g); u[20:28] = bytes.fromhex('0200000000ff0001')
send(u, 4)                                      # unknown SCI x4         -> InPktsNoSCI
w = bytearray(g); w[14] = (w[14] & 0xfc) | 0x01
send(w, 5)                                      # AN 1 has no SA x5      -> InPktsNotUsingSA
send(b + a + b'\x08\x00' + bytes(46), 6)        # cleartext IPv4 x6      -> InPktsNoTag (strict)
v = bytearray(g); v[14] |= 0x80
send(v, 1)                                      # V bit set              -> InPktsBadTag
send(g[:22], 1)                                 # truncated SecTAG       -> InPktsBadTag
ike = bytes(8) + bytes(8) + bytes([33, 0x20, 37, 0x20]) + bytes(4) + (46).to_bytes(4, 'big') + bytes(18)
send(b + a + b'\x88\xb5' + b'IKE' + bytes(43), 3)  # not IKEv2 x3      -> KxJunk
send(b + a + b'\x88\xb5' + ike, 2)             # IKE header x2        -> punted, KxPunted
PYEOF
pass "injected 3 replayed, 2 tampered, 4 unknown-SCI, 5 unknown-AN, 6 cleartext, 2 malformed, 2 key-exchange frames, 3 junk frames on the key-exchange EtherType"

# 3. Box B dropped each under its counter (exact deltas: nothing else produces these counters).
expect=("secy|InPktsNoTag|6" "secy|InPktsBadTag|2" "secy|InPktsNoSCI|4" "rx-sc sci=$SCI_A|InPktsNotUsingSA|5"
        "rx-sa sci=$SCI_A|InPktsLate|3" "rx-sa sci=$SCI_A|InPktsNotValid|2" "dataplane|KxPunted|2" "dataplane|KxJunk|3"
        "rx-sa sci=$SCI_A|InPktsOK|0" "dataplane|PlainTx|0")
for _ in $(seq 1 50); do   # until box B has polled all 28 frames (the key-exchange ones last) (it never takes long)
  dump_counters b >"$WORK/after.txt"
  k="dataplane|KxPunted"
  now=$(value "$WORK/after.txt" secy InPktsNoTag)
  [ "$((now - ${before[secy|InPktsNoTag]}))" -ge 6 ] && [ "$(($(value "$WORK/after.txt" dataplane KxPunted) - ${before[$k]}))" -ge 2 ] && break
  sleep 0.1
done
alive b || fail "box B died"
for e in "${expect[@]}"; do
  IFS='|' read -r scope name want <<<"$e"
  got=$(( $(value "$WORK/after.txt" "$scope" "$name") - ${before[$scope|$name]} ))
  [ "$got" -eq "$want" ] || fail "$scope $name grew by $got, expected $want"
  pass "box B $scope $name +$got"
done

# 4. Still working afterwards: the genuine path is unaffected.
ip netns exec "$NS_HA" ping -c 3 -i 0.2 -W 2 10.77.0.2 >/dev/null || fail "ping after the injections"
alive a && alive b || fail "a daemon died"
pass "traffic still flows; both daemons alive"
