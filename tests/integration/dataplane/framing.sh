#!/usr/bin/env bash
# Integration: carrier framing (docs/framing.md) through two linkcryptd: clear-tags 1 with
# confidentiality offset 30, then clear-tags 2 (QinQ) with offset 50. On the wire tshark must see
# the VLAN tag(s) before the SecTAG; the independent decoder (tests/macsec_framing.py, python3
# cryptography) must decrypt every frame box A sent with its SAK into a frame host A sent, with
# the offset octets (the EtherType and the IPv4 header) in the clear. An untagged frame is
# dropped and counted (TxClearTagMissing), never sent.
source "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || fail "tshark is required (scripts/install-deps)"
TESTS_DIR=$(cd "$(dirname "$0")/../.." && pwd)

topology_up 1500 1540   # the wire carries SecTAG + ICV (32) and two tags (8)
make_keys

# vlan_stack NS TAGS ADDR: TAGS 802.1Q tags on the host's eth0 (VLAN 100, then 200 inside it)
# with ADDR on the innermost. Both 0x8100: Linux hands af_packet the outer tag as metadata and
# DPDK's net_af_packet re-inserts it as 0x8100, whatever its TPID was (docs/framing.md).
vlan_stack() {
  local ns=$1 tags=$2 addr=$3 dev=eth0
  ip -n "$ns" link add link eth0 name v100 type vlan id 100
  ip -n "$ns" link set v100 up
  dev=v100
  if [ "$tags" = 2 ]; then
    ip -n "$ns" link add link v100 name v200 type vlan id 200
    ip -n "$ns" link set v200 up
    dev=v200
  fi
  ip -n "$ns" addr add "$addr" dev "$dev"
}
vlan_unstack() { ip -n "$1" link del v100 2>/dev/null || true; }

run_case() {
  local tags=$1 offset=$2 net=10.78.$1
  local opts=(--key-file "$WORK/a.keys" --clear-tags "$tags" --confidentiality-offset "$offset" --plain-vlan-tags "$tags")
  start_daemon a "$NS_BA" pa wa "${opts[@]}"
  opts[1]="$WORK/b.keys"
  start_daemon b "$NS_BB" pb wb "${opts[@]}"
  vlan_stack "$NS_HA" "$tags" "$net.1/24"
  vlan_stack "$NS_HB" "$tags" "$net.2/24"
  start_capture plain "$NS_BA" pa
  start_capture wire "$NS_BB" wb

  ip netns exec "$NS_HA" ping -c 4 -i 0.2 -W 2 -s 200 "$net.2" >/dev/null \
    || fail "clear-tags $tags offset $offset: no ping through the tagged link"
  # Untagged: ARP for 10.77.0.2 leaves host A without a tag; box A must drop it, not send it.
  ip netns exec "$NS_HA" ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "an untagged frame got through"

  stop_capture plain
  stop_capture wire
  local missing; missing=$(counter a "secy" TxClearTagMissing)
  [ "$missing" != missing ] && [ "$missing" -ge 1 ] || fail "TxClearTagMissing is '$missing', want >= 1"
  pass "clear-tags $tags: untagged frames dropped and counted (TxClearTagMissing $missing)"

  # tshark: every MACsec frame from box A has exactly $tags VLAN tag(s), then the SecTAG.
  local want="eth:ethertype:vlan:ethertype:macsec"
  [ "$tags" = 2 ] && want="eth:ethertype:vlan:ethertype:vlan:ethertype:macsec"
  tshark -r "$WORK/wire.pcap" -Y "eth.src == $MAC_A && macsec" -T fields -e frame.protocols -e vlan.id \
    >"$WORK/wire.fields" 2>"$WORK/tshark.err" || fail "tshark could not read the capture"
  [ -s "$WORK/wire.fields" ] || fail "tshark found no MACsec frame from host A on the wire"
  local n_bad; n_bad=$(awk -F'\t' -v w="$want" 'index($1, w) != 1' "$WORK/wire.fields" | wc -l)
  [ "$n_bad" = 0 ] || { head -3 "$WORK/wire.fields"; fail "$n_bad frame(s) not dissected as $want"; }
  local ids="100"; [ "$tags" = 2 ] && ids="100,200"
  awk -F'\t' -v ids="$ids" '$2 != ids {bad=1} END{exit bad}' "$WORK/wire.fields" \
    || fail "VLAN IDs on the wire are not $ids: $(cut -f2 "$WORK/wire.fields" | sort -u | tr '\n' ' ')"
  tshark -r "$WORK/wire.pcap" -Y "_ws.malformed || _ws.expert.severity >= error" | grep -q . \
    && fail "tshark reports malformed frames"
  pass "tshark: $(wc -l <"$WORK/wire.fields") frames from box A as $want, VLAN $ids"

  # The independent decoder: every one of box A's frames decrypts to a frame host A sent.
  PYTHONPATH="$TESTS_DIR" "$PY" - "$WORK/plain.pcap" "$WORK/wire.pcap" "$tags" "$offset" \
      "$SAK_A" "$SALT_A" "$MAC_A" <<'PY' || fail "independent decoder (clear-tags $tags, offset $offset)"
import sys
import macsec_framing as mf
import pcap_frames
plain_path, wire_path, tags, offset, sak, salt, mac = sys.argv[1:]
tags, offset, mac = int(tags), int(offset), bytes.fromhex(mac.replace(':', ''))
sent = set(pcap_frames.frames(plain_path))
n = 0
for w in pcap_frames.frames(wire_path):
    if w[6:12] != mac:
        continue
    f = mf.Frame(w, tags)  # raises unless exactly `tags` VLAN tags precede the SecTAG
    p = mf.validate(w, bytes.fromhex(sak), tags, offset, ssci=1, salt=bytes.fromhex(salt))
    if p not in sent:
        sys.exit("frame %d decrypts to one host A did not send: %s" % (n, p.hex()))
    user_wire = w[f.user_start:f.user_end]
    user_plain = p[f.prefix:]
    clear = min(offset, len(user_plain))
    if user_wire[:clear] != user_plain[:clear]:
        sys.exit("frame %d: the first %d user octets are not in the clear" % (n, clear))
    if len(user_plain) > clear and user_wire[clear:] == user_plain[clear:]:
        sys.exit("frame %d: octets after the offset are not encrypted" % n)
    if user_plain[:2] == b"\x08\x00" and offset >= 22 and user_wire[14:22] != user_plain[14:22]:
        sys.exit("frame %d: IPv4 addresses not readable on the wire" % n)
    n += 1
if n < 4:
    sys.exit("only %d frames from box A decoded" % n)
print("decoded %d frames of box A, every one a frame host A sent, first %d user octets clear" % (n, offset))
PY
  pass "clear-tags $tags, offset $offset: the independent decoder recovers host A's frames"

  vlan_unstack "$NS_HA"; vlan_unstack "$NS_HB"
  kill -TERM "$DPID_a" "$DPID_b"; wait "$DPID_a" "$DPID_b" 2>/dev/null || true
}

run_case 1 30
run_case 2 50
