#!/usr/bin/env bash
# TAP mode (1): net_tap plain ports (the box kernel is the host), veth wire through net_af_packet:
# ARP, IPv4, IPv6 and full-MTU DF pings pass, and the wire carries only 0x88E5/0x88B5 frames.
source "$(dirname "$0")/lib.sh"

topology_up_tap            # wire veth MTU 1532
make_keys
start_tap_daemons

# The daemon set each tap's MTU through rtnetlink (wire 1532 - 32 octets of SecTAG and ICV) and
# brought it up; nobody else touched it.
for side in "$NS_BA tpa" "$NS_BB tpb"; do
  set -- $side
  tap_is_up "$1" "$2" || { ip -n "$1" link show "$2"; fail "tap $2 is not up"; }
  [ "$(tap_mtu "$1" "$2")" = 1500 ] || fail "tap $2 MTU $(tap_mtu "$1" "$2"), expected 1500"
done
pass "both taps up with MTU 1500 (wire 1532 - 32)"
tap_host "$NS_BA" tpa 10.79.0.1 fd79::1
tap_host "$NS_BB" tpb 10.79.0.2 fd79::2
MAC_TPB=$(ip -n "$NS_BB" -o link show tpb | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')

start_capture wa "$NS_BA" wa
start_capture wb "$NS_BB" wb

# ARP: the neighbour cache starts empty, and the entry learnt is the far tap's MAC address.
ip -n "$NS_BA" neigh flush dev tpa; ip -n "$NS_BB" neigh flush dev tpb
ip netns exec "$NS_BA" ping -c 3 -i 0.2 -W 2 10.79.0.2 >"$WORK/ping4" || { cat "$WORK/ping4"; fail "IPv4 ping"; }
ip -n "$NS_BA" neigh show 10.79.0.2 dev tpa | grep -qi "lladdr $MAC_TPB" \
  || { ip -n "$NS_BA" neigh show dev tpa; fail "ARP did not resolve 10.79.0.2 to $MAC_TPB"; }
pass "ARP resolved 10.79.0.2 to $MAC_TPB through both appliances; IPv4 ping"
ip netns exec "$NS_BA" ping -6 -c 3 -i 0.2 -W 2 fd79::2 >"$WORK/ping6" || { cat "$WORK/ping6"; fail "IPv6 ping"; }
pass "IPv6 ping (neighbour discovery and ICMPv6)"
# Full-size frames, DF set: 1472 + 28 = 1500 octets of IPv4, 1452 + 48 of IPv6.
ip netns exec "$NS_BA" ping -M do -s 1472 -c 3 -i 0.2 -W 2 10.79.0.2 >"$WORK/pingbig" || { cat "$WORK/pingbig"; fail "full-MTU IPv4 ping"; }
ip netns exec "$NS_BB" ping -6 -M do -s 1452 -c 3 -i 0.2 -W 2 fd79::1 >"$WORK/pingbig6" || { cat "$WORK/pingbig6"; fail "full-MTU IPv6 ping"; }
pass "full-MTU (1500) DF pings both ways, IPv4 and IPv6"

stop_capture wa
stop_capture wb
assert_wire_only_macsec wa wb

ok_b=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
ok_a=$(counter a "rx-sa sci=$SCI_B" InPktsOK)
not_valid=$(( $(counter a "rx-sa sci=$SCI_B" InPktsNotValid) + $(counter b "rx-sa sci=$SCI_A" InPktsNotValid) ))
too_long=$(( $(counter a secy OutPktsTooLong) + $(counter b secy OutPktsTooLong) ))
[ "$ok_a" -gt 0 ] && [ "$ok_b" -gt 0 ] || fail "InPktsOK A=$ok_a B=$ok_b"
[ "$not_valid" = 0 ] || fail "InPktsNotValid=$not_valid"
[ "$too_long" = 0 ] || fail "OutPktsTooLong=$too_long: full-MTU frames must fit a 1532 wire"
alive a && alive b || fail "a daemon died"
pass "InPktsOK A=$ok_a B=$ok_b, InPktsNotValid=0, OutPktsTooLong=0"
