#!/usr/bin/env bash
# Daemon integration (5): tampered, replayed and foreign frames and a flood of bogus 0x88B5 key-exchange frames injected on the wire are dropped and counted; the session stays up (same key id) and traffic still flows.
source "$(dirname "$0")/lib.sh"

FLOOD=2000
psk_pair_up
ping_ok 2 || { cat "$WORK/ping.out"; fail "ping before the injections"; }
key_a=$(q a status 'r["tx_key_id"]'); key_b=$(q b status 'r["tx_key_id"]')
spi_state=$(q b peer 'r["ike_state"]')

# 1. Catch one genuine MACsec frame box A sent to box B (raw socket on wb, received side).
ip netns exec "$NS_HA" ping -i 0.2 -W 1 "$HOST_B" >/dev/null 2>&1 &
ping_pid=$!
PIDS+=("$ping_pid")
catch_macsec_frame "$NS_BB" wb "$MAC_A" 60 >"$WORK/genuine.hex"
kill "$ping_pid"; wait "$ping_pid" 2>/dev/null || true
sleep 0.5   # box B has validated it: a replay is now below its lowest acceptable PN
pass "captured a genuine protected frame from box A"

names=(InPktsLate InPktsNotValid InPktsNoSCI InPktsUnknownSCI InPktsNoTag InPktsOK)
declare -A before
for n in "${names[@]}"; do before[$n]=$(stat b "$n"); done
# The worker drops junk (KxJunk) and new-session frames over kx-new-sa-rate (KxRateLimited) itself
# (docs/security.md); the rest reaches the control plane (KxPunted).
kx_names=(KxPunted KxPuntRingFull KxJunk KxRateLimited)
kx_before=$(stat b "${kx_names[@]}")
ike_drop_names=(transport_rx_too_short transport_rx_bad_length transport_rx_wrong_ethertype keying_rx_unparsable keying_rx_unrouted rx_malformed rx_invalid rx_unexpected rx_decrypt_failed responder_malformed responder_cookie_invalid responder_over_limit KxPuntRingFull KxJunk KxRateLimited)
ike_before=$(stat b "${ike_drop_names[@]}")
ike_level_names=(keying_rx_unparsable keying_rx_unrouted rx_malformed rx_invalid rx_unexpected rx_decrypt_failed responder_malformed responder_cookie_invalid responder_over_limit KxRateLimited)
ike_level_before=$(stat b "${ike_level_names[@]}")

# 2. Inject from box A's side of the wire (wa): everything arrives at box B's wire port. scapy.
ip netns exec "$NS_BA" "$PY" - "$(cat "$WORK/genuine.hex")" "$MAC_A" "$MAC_B" "$FLOOD" <<'PYEOF'
import os, sys, time
from scapy.all import Ether, Raw, sendp, conf
conf.verb = 0
g = bytes.fromhex(sys.argv[1]); a, b = sys.argv[2], sys.argv[3]; flood = int(sys.argv[4])
frames = []
frames += [Raw(g)] * 3                                    # replayed x3   -> InPktsLate / NotValid (XPN recovery)
t = bytearray(g); t[-20] ^= 0x01                          # tampered: a bit of the secure data, PN moved on
pn = int.from_bytes(t[16:20], 'big') + 1000; t[16:20] = pn.to_bytes(4, 'big')
frames += [Raw(bytes(t))] * 2                             #  x2           -> InPktsNotValid
u = bytearray(g); u[20:28] = bytes.fromhex('0200000000ff0001')
frames += [Raw(bytes(u))] * 4                             # foreign SCI x4 -> InPktsNoSCI / UnknownSCI
frames += [Ether(src=a, dst=b, type=0x0800) / Raw(bytes(46))] * 6   # cleartext x6 -> InPktsNoTag
sendp(frames, iface="wa")
# The flood: bogus key-exchange frames (random, short, IKE-header-like with lying lengths).
kx = []
for i in range(flood):
    r = os.urandom(28 + i % 200)
    if i % 4 == 1:    # IKE header whose Length lies                  -> transport rx_bad_length
        r = r[:16] + bytes([33, 0x20, 34, 0x08]) + bytes(4) + (0x7fffffff).to_bytes(4, 'big') + r[28:]
    elif i % 4 == 2:  # shorter than an IKE header                     -> transport rx_too_short
        r = r[:10]
    elif i % 4 == 3:  # a well-framed IKE message with a garbage body: IKE_SA_INIT to the
                      # responder, or an INFORMATIONAL for an SA that does not exist -> IKE counters
        body = os.urandom(40 + i % 64)
        exch, spi_r = (34, bytes(8)) if i % 8 == 3 else (37, os.urandom(8))
        r = os.urandom(8) + spi_r + bytes([33 if exch == 34 else 46, 0x20, exch, 0x08]) + bytes(4) \
            + (28 + len(body)).to_bytes(4, 'big') + body
    kx.append(Ether(src=a, dst="01:80:c2:00:00:03", type=0x88b5) / Raw(r))
# Bursts of 100 every 50 ms (~2000 frames/s): the flood must reach linkcryptd, not overflow the
# kernel's af_packet ring under the veth (drops there are the test rig's, invisible to the daemon).
for k in range(0, len(kx), 100):
    sendp(kx[k:k + 100], iface="wa")
    time.sleep(0.05)
PYEOF
pass "injected 3 replayed, 2 tampered, 4 foreign-SCI, 6 cleartext frames and $FLOOD bogus key-exchange frames"

# The worker counts a punted frame at once; the control plane counts its drop when it drains the
# punt ring: wait for both (the deadline only bounds a failure).
punted() { kx_now=$(stat b "${kx_names[@]}"); [ "$kx_now" -ge "$((kx_before + FLOOD))" ]; }
wait_for 20 "box B's wire port received the whole flood (KxPunted + KxPuntRingFull + KxJunk + KxRateLimited +$FLOOD)" punted
pass "box B's dataplane sorted the flood: KxPunted + KxPuntRingFull + KxJunk + KxRateLimited +$((kx_now - kx_before))"
flood_counted() { ike_after=$(stat b "${ike_drop_names[@]}"); [ "$ike_after" != missing ] && [ "$((ike_after - ${ike_before/missing/0}))" -ge "$FLOOD" ]; }
wait_for 20 "every bogus key-exchange frame counted as a drop (transport/keying/IKE drop counters +$FLOOD)" flood_counted
declare -A after
for n in "${names[@]}"; do after[$n]=$(stat b "$n"); done
d() { echo $(( ${after[$1]/missing/0} - ${before[$1]/missing/0} )); }
late_or_invalid=$(( $(d InPktsLate) + $(d InPktsNotValid) ))
[ "$late_or_invalid" -ge 5 ] || fail "replayed+tampered: InPktsLate+InPktsNotValid grew by $late_or_invalid, expected >= 5"
pass "replayed and tampered frames dropped: InPktsLate +$(d InPktsLate), InPktsNotValid +$(d InPktsNotValid)"
foreign=$(( $(d InPktsNoSCI) + $(d InPktsUnknownSCI) ))
[ "$foreign" -ge 4 ] || fail "foreign SCI: InPktsNoSCI+InPktsUnknownSCI grew by $foreign, expected >= 4"
pass "foreign frames dropped: InPktsNoSCI +$(d InPktsNoSCI), InPktsUnknownSCI +$(d InPktsUnknownSCI)"
[ "$(d InPktsNoTag)" -ge 6 ] || fail "cleartext: InPktsNoTag grew by $(d InPktsNoTag), expected >= 6"
pass "cleartext frames dropped: InPktsNoTag +$(d InPktsNoTag)"
pass "bogus key-exchange frames dropped and counted: +$((ike_after - ${ike_before/missing/0}))"
ike_level_after=$(stat b "${ike_level_names[@]}")
[ "$((ike_level_after - ike_level_before))" -ge "$((FLOOD / 4))" ] \
  || fail "well-framed bogus IKE messages: IKE-level drop counters + KxRateLimited grew by $((ike_level_after - ike_level_before)), expected >= $((FLOOD / 4))"
pass "of which well-framed bogus IKE messages rate-limited by the worker or refused by the IKE layer: +$((ike_level_after - ike_level_before))"
ctl b stats >"$WORK/stats_b.txt" && grep -E 'KxPunted|KxJunk|KxRateLimited|too short|bad length|wrong ethertype|unparsable|unrouted|malformed|unexpected|invalid' "$WORK/stats_b.txt" | sed 's/^/  B> /' || true

# 3. The session was not disturbed.
alive a && alive b || fail "a daemon died"
is_secured a && is_secured b || fail "the session went down"
[ "$(q a status 'r["tx_key_id"]')" = "$key_a" ] && [ "$(q b status 'r["tx_key_id"]')" = "$key_b" ] \
  || fail "key ids changed: A $key_a -> $(q a status 'r["tx_key_id"]'), B $key_b -> $(q b status 'r["tx_key_id"]')"
[ "$(q b peer 'r["ike_state"]')" = "$spi_state" ] || fail "box B IKE state changed"
ping_ok 3 || { cat "$WORK/ping.out"; fail "ping after the injections"; }
pass "session undisturbed: same key ids (A $key_a, B $key_b), traffic flows"
