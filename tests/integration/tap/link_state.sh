#!/usr/bin/env bash
# TAP mode (2): rtnetlink in the daemon. The tap's MTU is the wire MTU minus SecTAG, ICV and the
# declared VLAN tags; both ports' link and MTU show in `linkcryptctl status`; setting the wire
# veth down and up is followed (RTNLGRP_LINK), logged once each way and counted (WireLinkDown).
source "$(dirname "$0")/lib.sh"

topology_up_tap 1400       # wire veth MTU 1432
make_keys
start_tap_daemons --plain-mtu 1400 --plain-vlan-tags 1

# min(--plain-mtu 1400, 1432 - 32 - 4 for one VLAN tag) = 1396; a new tap would have 1500.
[ "$(tap_mtu "$NS_BA" tpa)" = 1396 ] || fail "tap tpa MTU $(tap_mtu "$NS_BA" tpa), expected 1396"
grep -q "plain tap tpa: MTU 1396 and up" "$WORK/a.err" || fail "no start-up line about the tap MTU"
pass "tap MTU set to 1396 (wire 1432 - 32 - 4) by the daemon"
tap_host "$NS_BA" tpa 10.79.0.1 fd79::1
tap_host "$NS_BB" tpb 10.79.0.2 fd79::2

for tag in a b; do
  [ "$(port_field $tag plain link)" = up ] || fail "box $tag: plain link not up"
  [ "$(port_field $tag plain mtu)" = 1396 ] || fail "box $tag: plain MTU $(port_field $tag plain mtu)"
  [ "$(port_field $tag plain source)" = netlink ] || fail "box $tag: plain port not followed by netlink"
  [ "$(port_field $tag wire link)" = up ] || fail "box $tag: wire link not up"
  [ "$(port_field $tag wire mtu)" = 1432 ] || fail "box $tag: wire MTU $(port_field $tag wire mtu)"
done
"$LINKCRYPTCTL" --socket "$WORK/a.sock" status >"$WORK/status.txt"
grep -Eq '^ +wire +net_af_packet1 +wa +up +1432 ' "$WORK/status.txt" || { cat "$WORK/status.txt"; fail "status table lacks the wire port row"; }
pass "status: plain tap 1396 up, wire 1432 up, on both boxes (JSON and table)"

# DF at exactly the tap MTU passes; one octet more is refused by the host itself (EMSGSIZE).
ip netns exec "$NS_BA" ping -M do -s 1368 -c 2 -i 0.2 -W 2 10.79.0.2 >"$WORK/ping" || { cat "$WORK/ping"; fail "ping at the tap MTU"; }
if ip netns exec "$NS_BA" ping -M do -s 1369 -c 1 -W 1 10.79.0.2 >/dev/null 2>&1; then fail "a 1397-octet DF packet left a 1396-MTU tap"; fi
pass "DF ping at the tap MTU passes; one octet more stays on the host"

# Wire down on box A: A sees it administratively down, B loses the carrier.
ip -n "$NS_BA" link set wa down
wait_port a wire link down
wait_port b wire link down
[ "$(port_field a wire admin_up)" = False ] || fail "box A: wire not admin down"
[ "$(port_field b wire carrier)" = False ] || fail "box B: wire still has a carrier"
[ "$(stat_field a WireLinkDown)" = 1 ] || fail "box A WireLinkDown=$(stat_field a WireLinkDown)"
[ "$(stat_field b WireLinkDown)" = 1 ] || fail "box B WireLinkDown=$(stat_field b WireLinkDown)"
[ "$(grep -c 'wire port net_af_packet1 (wa): link down' "$WORK/a.err")" = 1 ] || { cat "$WORK/a.err"; fail "box A: no single link-down log line"; }
grep -q 'wire port net_af_packet1 (wb): link down (admin up, no carrier' "$WORK/b.err" || { cat "$WORK/b.err"; fail "box B: no link-down log line"; }
pass "wire down: status, WireLinkDown=1 and one log line on both boxes"

# While the wire is down plain frames are dropped before protection: counted, no PN spent.
pn_before=$(dump_counters a | sed -n 's/^tx-sa an=0 active=1 next-pn=\([0-9]*\) .*OutPktsEncrypted .*/\1/p' | head -n1)
if ip netns exec "$NS_BA" ping -c 3 -i 0.2 -W 1 10.79.0.2 >/dev/null 2>&1; then fail "ping passed over a down wire"; fi
drops=$(stat_field a WireDownDrops)
pn_after=$(dump_counters a | sed -n 's/^tx-sa an=0 active=1 next-pn=\([0-9]*\) .*OutPktsEncrypted .*/\1/p' | head -n1)
[ "$drops" -ge 3 ] || fail "box A WireDownDrops=$drops after 3 echo requests"
[ -n "$pn_before" ] && [ "$pn_before" = "$pn_after" ] || fail "box A spent PNs on a down wire ($pn_before -> $pn_after)"
pass "wire down: $drops plain frames dropped as WireDownDrops, next PN still $pn_after"

ip -n "$NS_BA" link set wa up
wait_port a wire link up
wait_port b wire link up
[ "$(stat_field a WireLinkUp)" = 1 ] || fail "box A WireLinkUp=$(stat_field a WireLinkUp)"
[ "$(stat_field a WireLinkDown)" = 1 ] || fail "box A WireLinkDown=$(stat_field a WireLinkDown) after up"
grep -q 'wire port net_af_packet1 (wa): link up' "$WORK/a.err" || fail "box A: no link-up log line"
ip netns exec "$NS_BA" ping -c 3 -i 0.2 -W 2 10.79.0.2 >"$WORK/ping2" || { cat "$WORK/ping2"; fail "ping after the wire came back"; }
alive a && alive b || fail "a daemon died"
pass "wire up again: status up, WireLinkUp=1, log line, traffic flows"
