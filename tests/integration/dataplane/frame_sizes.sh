#!/usr/bin/env bash
# Integration (6): untagged and 802.1Q-tagged frames of every size up to the plain MTU and one
# octet past it, with the wire MTU at the documented trunk value (plain + 32 + 4) and 4 octets
# below it: each frame is delivered intact or counted as OutPktsTooLong (and then neither
# protected nor sent), never lost in silence. Issue 18 §1.
source "$(dirname "$0")/lib.sh"
TOOL=$(dirname "$0")/frame_sizes.py
LO=46; HI=1501   # payload octets after the (inner) EtherType: 60..1515 untagged, 64..1519 tagged

# Plain veths 1501, so that the hosts can send one octet past --plain-mtu 1500; wire 1536.
topology_up 1501 1536
for ns in "$NS_HA" "$NS_HB"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1; done
make_keys
start_daemon a "$NS_BA" pa wa --key-file "$WORK/a.keys" --plain-vlan-tags 1
start_daemon b "$NS_BB" pb wb --key-file "$WORK/b.keys" --plain-vlan-tags 1
grep -q "warning: wire MTU" "$WORK/a.err" && fail "start-up warning although the wire carries one VLAN tag"

# run_matrix WIRE_MTU: every frame once; checks the outcome of each against the wire MTU.
run_matrix() {
  local wire_mtu=$1
  local tl0 enc0 ok0 tl1 enc1 ok1
  tl0=$(counter a secy OutPktsTooLong); enc0=$(counter a tx-sc OutPktsEncrypted)
  ok0=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
  rm -f "$WORK/result.json"
  "$PY" "$TOOL" "$NS_HA" eth0 "$NS_HB" eth0 "$MAC_A" "$MAC_B" $LO $HI "$WORK/result.json" || fail "frame tool failed"
  tl1=$(counter a secy OutPktsTooLong); enc1=$(counter a tx-sc OutPktsEncrypted)
  ok1=$(counter b "rx-sa sci=$SCI_A" InPktsOK)
  # 802.1AE: protected = plain frame + 32 (SecTAG with SCI 16 + ICV 16); the wire takes MTU + 14.
  "$PY" - "$WORK/result.json" "$wire_mtu" $LO $HI $((tl1 - tl0)) $((enc1 - enc0)) $((ok1 - ok0)) <<'PYEOF' || fail "wire MTU $wire_mtu: see above"
import json, sys
res = json.load(open(sys.argv[1]))
wire_mtu, lo, hi, too_long, encrypted, ok = map(int, sys.argv[2:])
sent, fits = [], set()
n = 0
for tagged in (False, True):
    for length in range(lo, hi + 1):
        frame_len = 12 + (4 if tagged else 0) + 2 + length
        if frame_len + 32 <= wire_mtu + 14:
            fits.add(n)
        sent.append((n, tagged, frame_len))
        n += 1
intact = set(res['intact'])
problems = []
if res['damaged']:
    problems.append('%d frame(s) arrived damaged: %s' % (len(res['damaged']), res['damaged'][:10]))
lost = sorted(fits - intact)
if lost:
    problems.append('%d frame(s) that fit were lost: %s' % (len(lost), [sent[i] for i in lost[:10]]))
extra = sorted(intact - fits)
if extra:
    problems.append('%d frame(s) too long for the wire arrived: %s' % (len(extra), [sent[i] for i in extra[:10]]))
dropped = len(sent) - len(fits)
if too_long != dropped:
    problems.append('OutPktsTooLong +%d, but %d frame(s) do not fit' % (too_long, dropped))
if encrypted != len(fits) or ok != len(fits):
    problems.append('OutPktsEncrypted +%d and InPktsOK +%d, but %d frame(s) fit' % (encrypted, ok, len(fits)))
longest = {t: max((f for i, t2, f in sent if t2 == t and i in intact), default=0) for t in (False, True)}
print('wire MTU %d: %d frames sent, %d delivered intact (longest untagged %d, tagged %d), '
      '%d counted OutPktsTooLong' % (wire_mtu, len(sent), len(intact), longest[False], longest[True], too_long))
for p in problems:
    print('FAIL: ' + p)
sys.exit(1 if problems else 0)
PYEOF
}

run_matrix 1536
pass "wire MTU 1536 (1500 + 32 + 4): every frame up to the plain MTU delivered, tagged or not"

# 4 octets below: full-size tagged frames no longer fit. The daemon follows the new MTU
# (rtnetlink) and drops them as OutPktsTooLong before a PN is spent.
ip -n "$NS_BA" link set wa mtu 1532; ip -n "$NS_BB" link set wb mtu 1532
for _ in $(seq 1 50); do grep -q "wire port net_af_packet1 (wa): MTU 1536 -> 1532" "$WORK/a.err" && break; sleep 0.1; done
grep -q "wire port net_af_packet1 (wa): MTU 1536 -> 1532" "$WORK/a.err" || { cat "$WORK/a.err"; fail "box A did not log the new wire MTU"; }
run_matrix 1532
pass "wire MTU 1532: tagged frames over 1514 octets counted as OutPktsTooLong, none lost in silence"

# Started on that wire, the daemon says what a trunk needs.
kill -TERM "$DPID_a"; wait "$DPID_a" 2>/dev/null || true
start_daemon a2 "$NS_BA" pa wa --key-file "$WORK/a.keys" --plain-vlan-tags 1
grep -q "warning: wire MTU 1532 carries full-size plain frames with at most 0 VLAN tag(s), not the 1 of --plain-vlan-tags: set it to 1536" "$WORK/a2.err" \
  || { cat "$WORK/a2.err"; fail "no start-up warning for a wire without room for the VLAN tag"; }
pass "start-up warning names the trunk wire MTU (1536)"
